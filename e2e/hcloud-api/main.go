// hcloud-api-double: a small local stand-in for the Hetzner Cloud API (https://api.hetzner.cloud/v1),
// for tests only. It is a DOUBLE of a service the tests cannot reach, not the service: it keeps
// resources in memory, finishes every action at once, and implements only the endpoints that
// hostplane's hcloud resources (SSH key, primary IPs, firewall, server with user_data, volume
// and its attachment) and terraform-provider-hcloud's create/read/update/delete of them call.
// Every request and response body is one of hcloud-go's hcloud/schema types, the types the
// provider itself decodes. Anything else gets the API's 404 not_found error and is recorded,
// so a test sees the first call the double does not know.
//
//	hcloud-api-double -token TOKEN -record requests.jsonl [-listen 127.0.0.1:0] [-server-ipv4 192.0.2.10]
//
// It prints "listening on http://127.0.0.1:PORT/v1" on stdout; point the provider at that URL
// (hcloud:endpoint). A request without `Authorization: Bearer TOKEN` gets the API's documented
// 401 {"error":{"code":"unauthorized","message":"unable to authenticate"}}.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	token := flag.String("token", "", "the one API token the double accepts (required)")
	record := flag.String("record", "", "append every request as a JSON line to this file (required)")
	ipv4 := flag.String("server-ipv4", "192.0.2.10", "first IPv4 address handed out for primary IPs (TEST-NET-1 by default)")
	flag.Parse()
	if *token == "" || *record == "" {
		flag.Usage()
		os.Exit(64)
	}
	if err := requireLoopback(*listen); err != nil {
		log.Fatal(err)
	}
	rec, err := openRecorder(*record)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	st := newStore(*ipv4)
	mux := http.NewServeMux()
	st.routes(mux)
	fmt.Printf("listening on http://%s/v1\n", ln.Addr())
	log.Fatal(http.Serve(ln, rec.wrap(authorize(*token, mux))))
}

// requireLoopback: tests may only talk to loopback, so the double refuses any other address.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-listen %s: the double listens on a loopback address only (127.0.0.1 or ::1)", addr)
	}
	return nil
}
