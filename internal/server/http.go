package server

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// HTTPConfig bounds the API server's connections, so that idle, slow or
// numerous clients cannot hold the server's connections and memory for
// good. Every response of the API is bounded (list pages, 1 MiB pieces of
// a build log, the metrics page): nothing streams, so a write timeout cuts
// off only a client that stopped reading.
type HTTPConfig struct {
	// MaxConnections is how many connections the server serves at once;
	// further clients wait in the kernel's accept queue until one closes.
	// Default: 1024.
	MaxConnections int `yaml:"maxConnections" json:"maxConnections"`
	// ReadHeaderTimeout is how long a client may take to send a request's
	// headers. Default: 10s.
	ReadHeaderTimeout time.Duration `yaml:"readHeaderTimeout" json:"readHeaderTimeout"`
	// ReadTimeout is how long a client may take to send a whole request,
	// headers and body. Default: 1m.
	ReadTimeout time.Duration `yaml:"readTimeout" json:"readTimeout"`
	// WriteTimeout is how long the server may take from the end of a
	// request's headers to the end of its response. Default: 2m.
	WriteTimeout time.Duration `yaml:"writeTimeout" json:"writeTimeout"`
	// IdleTimeout is how long a keep-alive connection stays open waiting
	// for its next request. Default: 2m.
	IdleTimeout time.Duration `yaml:"idleTimeout" json:"idleTimeout"`
}

// Defaults of HTTPConfig.
const (
	DefaultMaxConnections    = 1024
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = time.Minute
	DefaultWriteTimeout      = 2 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
)

// WithDefaults returns c with defaults filled in.
func (c HTTPConfig) WithDefaults() HTTPConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	def(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&c.ReadTimeout, DefaultReadTimeout)
	def(&c.WriteTimeout, DefaultWriteTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	return c
}

// Check validates the values that are set.
func (c HTTPConfig) Check() error {
	if c.MaxConnections < 0 || c.MaxConnections > 1_000_000 {
		return fmt.Errorf("max connections %d (http.maxConnections, --max-connections): set 1 to 1000000", c.MaxConnections)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"readHeaderTimeout", c.ReadHeaderTimeout}, {"readTimeout", c.ReadTimeout},
		{"writeTimeout", c.WriteTimeout}, {"idleTimeout", c.IdleTimeout},
	} {
		if d.v < 0 {
			return fmt.Errorf("http.%s %s is negative: set a duration such as 30s", d.name, d.v)
		}
	}
	return nil
}

// overHTTP returns c with file's values where c has none.
func overHTTP(c, file HTTPConfig) HTTPConfig {
	pick := func(flag *time.Duration, file time.Duration) {
		if *flag == 0 {
			*flag = file
		}
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = file.MaxConnections
	}
	pick(&c.ReadHeaderTimeout, file.ReadHeaderTimeout)
	pick(&c.ReadTimeout, file.ReadTimeout)
	pick(&c.WriteTimeout, file.WriteTimeout)
	pick(&c.IdleTimeout, file.IdleTimeout)
	return c
}

// serve returns the server of h with c's timeouts, and ln bounded to
// c.MaxConnections connections at once.
func (c HTTPConfig) serve(ln net.Listener, h http.Handler) (*http.Server, net.Listener) {
	c = c.WithDefaults()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
	}
	return srv, netutil.LimitListener(ln, c.MaxConnections)
}
