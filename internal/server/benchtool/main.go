// Command benchtool measures the Image Builder API's read throughput and
// latency the way issue 4 asks: it seeds N components (default 10,000)
// through the service layer into an embedded (SQLite) data directory, starts
// `goldsmith serve` on it as a separate process, and drives it for a while
// with concurrent workers sending SigV4-signed GetComponent and
// ListComponents (maxResults 25) requests. It prints requests/s and the
// latency percentiles.
//
//	go build -o /tmp/goldsmith ./cmd/goldsmith
//	go run ./internal/server/benchtool -goldsmith /tmp/goldsmith
//
// With -inprocess the server runs inside benchtool instead (for -cpuprofile,
// which then profiles server and load generator together).
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

const (
	region  = server.DefaultRegion
	account = "100000000001"
	keyID   = "AKIABENCHMARK0000001"
	secret  = "benchmark-secret-not-for-production-0001"
)

const doc = `name: bench
description: benchmark component
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo hello
`

type options struct {
	goldsmith  string
	dataDir    string
	n          int
	workers    int
	duration   time.Duration
	getShare   float64
	inprocess  bool
	cpuprofile string
}

func main() {
	var o options
	flag.StringVar(&o.goldsmith, "goldsmith", "", "goldsmith binary to run as the server process (required unless -inprocess)")
	flag.StringVar(&o.dataDir, "data-dir", "", "data directory to seed (default: a temporary directory); reused when already seeded")
	flag.IntVar(&o.n, "n", 10000, "components to seed")
	flag.IntVar(&o.workers, "workers", 8, "concurrent client workers")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long to drive the server")
	flag.Float64Var(&o.getShare, "get", 0.5, "share of GetComponent requests (the rest are ListComponents)")
	flag.BoolVar(&o.inprocess, "inprocess", false, "run the server in this process (for -cpuprofile)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the load phase")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.goldsmith == "" && !o.inprocess {
		return errors.New("-goldsmith BINARY is required (or -inprocess)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if o.dataDir == "" {
		d, err := os.MkdirTemp("", "goldsmith-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		o.dataDir = d
	}
	start := time.Now()
	arns, err := seed(ctx, o.dataDir, o.n)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d components in %s (%s)\n", len(arns), time.Since(start).Round(time.Millisecond), o.dataDir)

	endpoint, stop, err := startServer(ctx, o)
	if err != nil {
		return err
	}
	defer stop()
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	// Warm up connections and caches, then measure.
	if _, err := drive(ctx, endpoint, arns, o.workers, time.Second, o.getShare); err != nil {
		return err
	}
	res, err := drive(ctx, endpoint, arns, o.workers, o.duration, o.getShare)
	if err != nil {
		return err
	}
	res.print(o)
	return nil
}

// seed stores n components for the benchmark account unless the data
// directory has them already, and returns their build ARNs.
func seed(ctx context.Context, dir string, n int) ([]string, error) {
	st, err := server.OpenStore(ctx, server.Config{DataDir: dir})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := server.EnsureAccounts(ctx, st, []server.AccountConfig{{ID: account, Name: "bench",
		Keys: []server.KeyConfig{{AccessKeyID: keyID, SecretAccessKey: secret}}}}); err != nil {
		return nil, err
	}
	svc, err := service.New(ctx, service.Config{Store: st, Region: region, Limits: service.Limits{Components: n + 1}})
	if err != nil {
		return nil, err
	}
	arns := make([]string, 0, n)
	for i := range n {
		name := fmt.Sprintf("bench-%05d", i)
		a := fmt.Sprintf("arn:aws:imagebuilder:%s:%s:component/%s/1.0.0/1", region, account, name)
		if _, err := svc.GetComponent(ctx, account, a); err == nil {
			arns = append(arns, a)
			continue
		}
		data := doc
		out, err := svc.CreateComponent(ctx, account, service.CreateComponentInput{Name: name, SemanticVersion: "1.0.0",
			Platform: "Linux", Data: &data, ClientToken: name, Tags: map[string]string{"bench": "yes"}})
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", name, err)
		}
		arns = append(arns, out.ComponentBuildVersionArn)
	}
	return arns, nil
}

// startServer starts the server and returns its endpoint once it answers.
func startServer(ctx context.Context, o options) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	endpoint := "http://" + addr
	var stop func()
	if o.inprocess {
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- server.Run(sctx, server.Config{DataDir: o.dataDir, Listen: addr, Region: region}) }()
		stop = func() { cancel(); <-done }
	} else {
		cmd := exec.CommandContext(ctx, o.goldsmith, "serve", "--data-dir", o.dataDir, "--listen", addr, "--region", region)
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		if err := cmd.Start(); err != nil {
			return "", nil, err
		}
		fmt.Printf("server: %s serve (pid %d) on %s\n", o.goldsmith, cmd.Process.Pid, endpoint)
		stop = func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		}
	}
	for range 400 {
		resp, err := http.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return endpoint, stop, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("the server at %s did not answer", endpoint)
}

type result struct {
	gets, lists []time.Duration
	errors      int
	firstErr    string
	elapsed     time.Duration
}

// client sends SigV4-signed requests as the AWS SDKs do.
type client struct {
	endpoint string
	http     *http.Client
	signer   *v4.Signer
	creds    aws.Credentials
}

func (c *client) do(ctx context.Context, method, path string, body []byte) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, rd)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "imagebuilder", region, time.Now()); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	return nil
}

// drive runs workers sending requests for d.
func drive(ctx context.Context, endpoint string, arns []string, workers int, d time.Duration, getShare float64) (result, error) {
	tr := &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	c := &client{endpoint: endpoint, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, signer: v4.NewSigner(),
		creds: aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}}
	listBody := []byte(`{"maxResults":25}`)
	var mu sync.Mutex
	var res result
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			var gets, lists []time.Duration
			errs, firstErr := 0, ""
			for time.Now().Before(deadline) {
				t0 := time.Now()
				var err error
				isGet := rng.Float64() < getShare
				if isGet {
					a := arns[rng.IntN(len(arns))]
					err = c.do(ctx, http.MethodGet, "/GetComponent?componentBuildVersionArn="+queryEscape(a), nil)
				} else {
					err = c.do(ctx, http.MethodPost, "/ListComponents", listBody)
				}
				el := time.Since(t0)
				switch {
				case err != nil:
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
				case isGet:
					gets = append(gets, el)
				default:
					lists = append(lists, el)
				}
			}
			mu.Lock()
			res.gets = append(res.gets, gets...)
			res.lists = append(res.lists, lists...)
			res.errors += errs
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	if len(res.gets)+len(res.lists) == 0 {
		return res, fmt.Errorf("no request succeeded: %s", res.firstErr)
	}
	return res, nil
}

// queryEscape percent-encodes a query value as the SDKs do (":" and "/" too).
func queryEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (r result) print(o options) {
	all := slices.Concat(r.gets, r.lists)
	fmt.Printf("workers %d, %s, %d components, %.0f%% GetComponent / %.0f%% ListComponents(maxResults 25), server %s\n",
		o.workers, r.elapsed.Round(time.Millisecond), o.n, o.getShare*100, (1-o.getShare)*100, map[bool]string{true: "in-process", false: "separate process"}[o.inprocess])
	for _, row := range []struct {
		name string
		d    []time.Duration
	}{{"all", all}, {"GetComponent", r.gets}, {"ListComponents", r.lists}} {
		slices.Sort(row.d)
		fmt.Printf("%-15s %7d req  %8.0f req/s  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", row.name, len(row.d),
			float64(len(row.d))/r.elapsed.Seconds(), ms(percentile(row.d, 0.50)), ms(percentile(row.d, 0.90)), ms(percentile(row.d, 0.99)), ms(percentile(row.d, 1)))
	}
	if r.errors > 0 {
		fmt.Printf("errors: %d (first: %s)\n", r.errors, r.firstErr)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
