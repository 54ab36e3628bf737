package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/spf13/cobra"
)

func newLogsCommand() *cobra.Command {
	var (
		cf       clientFlags
		follow   bool
		interval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "logs IMAGE_BUILD_VERSION_ARN",
		Short: "Print an image build's log; --follow streams a running build's",
		Long: `Print the log of an image build run by goldsmith serve (its workers write
it to the artifact store). With --follow, keep printing as the build goes on
until the image is AVAILABLE, FAILED or CANCELLED; the exit code is then 0
for AVAILABLE and 1 otherwise. When the build restarts on another worker,
--follow says so and follows the new attempt's log from its start (each
attempt's log is kept: logs/attempt-N/ in the artifact store).

The server is found the AWS way: --endpoint-url, else
AWS_ENDPOINT_URL_IMAGEBUILDER or AWS_ENDPOINT_URL, else endpoint_url in the
profile. Requests are signed like the AWS CLI's, with the credentials and
region of --profile, AWS_PROFILE or the environment; on the server's own
machine, with no AWS settings at all, the profile "goldsmith" that goldsmith
serve wrote to DATA_DIR is used.

Examples:
  goldsmith logs --follow arn:aws:imagebuilder:goldsmith-local-1:123456789012:image/web/1.0.0/1
  AWS_ENDPOINT_URL=http://build-server:8484 AWS_PROFILE=goldsmith goldsmith logs ARN`,
		Args: exactArgs("image build version ARN, such as arn:aws:imagebuilder:REGION:ACCOUNT:image/NAME/1.0.0/1"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkBuildARN(args[0]); err != nil {
				return usageError(cmd, err)
			}
			ctx := cmd.Context()
			c, err := cf.load(ctx)
			if err != nil {
				return err
			}
			l := &logReader{client: c, image: args[0]}
			var offset int64
			for {
				n, status, err := l.read(ctx, &offset, cmd.OutOrStdout(), cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				final := status == "AVAILABLE" || status == "FAILED" || status == "CANCELLED"
				if !follow || (final && n == 0) {
					if follow && status != "AVAILABLE" {
						return &exitError{exitFailed, fmt.Errorf("the image is %s", status)}
					}
					return nil
				}
				if n == 0 {
					select {
					case <-ctx.Done():
						return nil
					case <-time.After(interval):
					}
				}
			}
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing until the build ends")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "how often --follow asks for more")
	return cmd
}

// logReader fetches pieces of a build log with SigV4-signed requests.
type logReader struct {
	*client
	image   string
	attempt string // the build attempt whose log is read; "" until known
}

var emptySHA256 = func() string { h := sha256.Sum256(nil); return hex.EncodeToString(h[:]) }()

// read copies the log from *offset to w, moves *offset past it and
// returns how much it copied and the image's state. When the build has
// restarted, it says so on notes and reads the new attempt's log from
// its start.
func (l *logReader) read(ctx context.Context, offset *int64, w, notes io.Writer) (int64, string, error) {
	q := url.Values{"imageBuildVersionArn": {l.image}, "offset": {strconv.FormatInt(*offset, 10)}}
	if l.attempt != "" {
		q.Set("attempt", l.attempt)
	}
	u := l.endpoint + "/goldsmith/GetImageLog?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	creds, err := l.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return 0, "", invalidf("no AWS credentials (profile %q): %w", l.profile, err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptySHA256, "imagebuilder", l.cfg.Region, time.Now()); err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("reach the Goldsmith server at %s: %w", l.endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, "", l.responseError(resp.StatusCode, body, "image build "+l.image)
	}
	if a := resp.Header.Get("X-Goldsmith-Log-Attempt"); a != l.attempt {
		if l.attempt != "" {
			fmt.Fprintf(notes, "goldsmith logs: the build restarted as attempt %s (its worker stopped); following the new attempt's log from its start\n", a)
		}
		l.attempt = a
	}
	if o, err := strconv.ParseInt(resp.Header.Get("X-Goldsmith-Log-Offset"), 10, 64); err == nil {
		*offset = o
	}
	n, err := io.Copy(w, resp.Body)
	*offset += n
	return n, resp.Header.Get("X-Goldsmith-Image-Status"), err
}
