package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/retry"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

const dialErrorDefault = 10

// connectionBase holds the SSH settings shared by Connection and ProxyConnection.
type connectionBase struct {
	User               *string  `pulumi:"user,optional"`
	Password           *string  `pulumi:"password,optional" provider:"secret"`
	Host               *string  `pulumi:"host"`
	Port               *float64 `pulumi:"port,optional"`
	PrivateKey         *string  `pulumi:"privateKey,optional" provider:"secret"`
	PrivateKeyPassword *string  `pulumi:"privateKeyPassword,optional" provider:"secret"`
	AgentSocketPath    *string  `pulumi:"agentSocketPath,optional"`
	DialErrorLimit     *int     `pulumi:"dialErrorLimit,optional"`
	PerDialTimeout     *int     `pulumi:"perDialTimeout,optional"`
	HostKey            *string  `pulumi:"hostKey,optional"`
}

func (c *connectionBase) annotate(a infer.Annotator) {
	a.Describe(&c.User, "The user that we should use for the connection.")
	a.SetDefault(&c.User, "root")
	a.Describe(&c.Password, "The password we should use for the connection.")
	a.Describe(&c.Host, "The address of the resource to connect to.")
	a.Describe(&c.Port, "The port to connect to. Defaults to 22.")
	a.SetDefault(&c.Port, 22)
	a.Describe(&c.PrivateKey, "The contents of an SSH key to use for the connection. This takes preference over the password if provided.")
	a.Describe(&c.PrivateKeyPassword, "The password to use in case the private key is encrypted.")
	a.Describe(&c.AgentSocketPath, "SSH Agent socket path. Default to environment variable SSH_AUTH_SOCK if present.")
	a.Describe(&c.DialErrorLimit, "Max allowed errors on trying to dial the remote host. -1 set count to unlimited. Default value is 10.")
	a.SetDefault(&c.DialErrorLimit, dialErrorDefault)
	a.Describe(&c.PerDialTimeout, "Max number of seconds for each dial attempt. 0 implies no maximum. Default value is 15 seconds.")
	a.SetDefault(&c.PerDialTimeout, 15)
	a.Describe(&c.HostKey, "The expected host key to verify the server's identity. If not provided, the host key will be ignored.")
}

// Connection is command:remote:Connection.
type Connection struct {
	connectionBase
	Proxy *ProxyConnection `pulumi:"proxy,optional"`
}

func (c *Connection) Annotate(a infer.Annotator) {
	a.SetToken("remote", "Connection")
	a.Describe(&c, "Instructions for how to connect to a remote endpoint.")
	c.annotate(a)
	a.Describe(&c.Proxy, "The connection settings for the bastion/proxy host.")
}

// ProxyConnection is command:remote:ProxyConnection.
type ProxyConnection struct {
	connectionBase
}

func (c *ProxyConnection) Annotate(a infer.Annotator) {
	a.SetToken("remote", "ProxyConnection")
	a.Describe(&c, "Instructions for how to connect to a remote endpoint via a bastion host.")
	c.annotate(a)
}

func (c *connectionBase) endpoint() string {
	port := 22
	if c.Port != nil {
		port = int(*c.Port)
	}
	host := ""
	if c.Host != nil {
		host = *c.Host
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func (c *connectionBase) dialLimit() int {
	if c.DialErrorLimit == nil {
		return dialErrorDefault
	}
	return *c.DialErrorLimit
}

func (c *connectionBase) sshConfig() (*ssh.ClientConfig, error) {
	user := "root"
	if c.User != nil {
		user = *c.User
	}
	timeout := 15 * time.Second
	if c.PerDialTimeout != nil {
		timeout = time.Duration(*c.PerDialTimeout) * time.Second
	}
	cfg := &ssh.ClientConfig{User: user, HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: timeout}
	if c.HostKey != nil && *c.HostKey != "" {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*c.HostKey))
		if err != nil {
			return nil, fmt.Errorf("hostKey: %w", err)
		}
		cfg.HostKeyCallback = ssh.FixedHostKey(key)
		cfg.HostKeyAlgorithms = []string{key.Type()}
		if key.Type() == ssh.KeyAlgoRSA {
			cfg.HostKeyAlgorithms = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
		}
	}
	if c.PrivateKey != nil {
		var signer ssh.Signer
		var err error
		if c.PrivateKeyPassword != nil {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*c.PrivateKey), []byte(*c.PrivateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*c.PrivateKey))
		}
		if err != nil {
			return nil, fmt.Errorf("privateKey: %w", err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if c.Password != nil {
		pw := *c.Password
		cfg.Auth = append(cfg.Auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				answers := make([]string, len(qs))
				for i := range qs {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	sock := os.Getenv("SSH_AUTH_SOCK")
	if c.AgentSocketPath != nil {
		sock = *c.AgentSocketPath
	}
	if sock != "" {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, fmt.Errorf("ssh agent %s: %w", sock, err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return cfg, nil
}

// dialWithRetry calls f until it succeeds or has failed more than limit times
// (-1: no limit), with pulumi's retry back-off.
func dialWithRetry[T any](ctx context.Context, what string, limit int, f func() (T, error)) (T, error) {
	var last error
	ok, data, err := retry.Until(ctx, retry.Acceptor{
		Accept: func(try int, _ time.Duration) (bool, any, error) {
			v, err := f()
			if err == nil {
				return true, v, nil
			}
			last = err
			dials := try + 1
			if limit >= 0 && dials > limit {
				return true, nil, fmt.Errorf("after %d failed attempts: %w", dials, err)
			}
			lim := "inf"
			if limit >= 0 {
				lim = strconv.Itoa(limit)
			}
			p.GetLogger(ctx).InfoStatusf("%s %d/%s failed: retrying", what, dials, lim)
			return false, nil, nil
		},
	})
	var zero T
	if ok && err == nil {
		return data.(T), nil
	}
	if err == nil {
		err = ctx.Err()
		if err == nil {
			err = last
		}
	}
	return zero, err
}

// Dial opens the SSH connection, through the proxy when one is set.
func (c *Connection) Dial(ctx context.Context) (*ssh.Client, error) {
	if c == nil || c.Host == nil {
		return nil, fmt.Errorf("connection.host is required")
	}
	cfg, err := c.sshConfig()
	if err != nil {
		return nil, err
	}
	ep := c.endpoint()
	if c.Proxy == nil {
		return dialWithRetry(ctx, "Dial", c.dialLimit(), func() (*ssh.Client, error) {
			return ssh.Dial("tcp", ep, cfg)
		})
	}
	pcfg, err := c.Proxy.sshConfig()
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	proxy, err := dialWithRetry(ctx, "Dial proxy", c.Proxy.dialLimit(), func() (*ssh.Client, error) {
		return ssh.Dial("tcp", c.Proxy.endpoint(), pcfg)
	})
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return dialWithRetry(ctx, "Dial from proxy", c.dialLimit(), func() (*ssh.Client, error) {
		conn, err := proxy.Dial("tcp", ep)
		if err != nil {
			return nil, err
		}
		cc, chans, reqs, err := ssh.NewClientConn(conn, ep, cfg)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return ssh.NewClient(cc, chans, reqs), nil
	})
}
