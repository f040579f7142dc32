package main

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// entry is one recorded request. The Authorization header is never written: only whether it
// carried the accepted token.
type entry struct {
	Time       string `json:"time"`
	Method     string `json:"method"`
	Path       string `json:"path"`
	Query      string `json:"query,omitempty"`
	Authorized bool   `json:"authorized"`
	Status     int    `json:"status"`
	// Unimplemented: no handler of the double matched (answered 404 not_found).
	Unimplemented bool            `json:"unimplemented,omitempty"`
	Body          json.RawMessage `json:"body,omitempty"`
}

type recorder struct {
	mu  sync.Mutex
	out *os.File
}

func openRecorder(path string) (*recorder, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return &recorder{out: f}, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// wrap records every request (method, path, query, JSON body, status) as one JSON line.
func (rc *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		e := entry{
			Time: time.Now().UTC().Format(time.RFC3339Nano), Method: r.Method, Path: r.URL.Path,
			Query: r.URL.RawQuery, Authorized: r.Header.Get(authorizedHeader) == "yes", Status: sw.status,
			Unimplemented: r.Header.Get(unimplementedHeader) == "yes",
		}
		if json.Valid(body) {
			e.Body = body
		}
		line, _ := json.Marshal(e)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		_, _ = rc.out.Write(append(line, '\n'))
	})
}

// Set on the request (never the response): the token matched; no handler matched.
const (
	authorizedHeader    = "X-Double-Authorized"
	unimplementedHeader = "X-Double-Unimplemented"
)

// authorize answers like the API for a missing or wrong token: 401 with error code
// "unauthorized" (https://docs.hetzner.cloud/reference/cloud#errors).
func authorize(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del(authorizedHeader)
		r.Header.Del(unimplementedHeader)
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeError(w, http.StatusUnauthorized, "unauthorized", "unable to authenticate")
			return
		}
		r.Header.Set(authorizedHeader, "yes")
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, schema.ErrorResponse{Error: schema.Error{Code: code, Message: message, DetailsRaw: json.RawMessage("null")}})
}
