package service

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"path"
	"strconv"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/sbom"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// maxSBOM bounds the SBOM that ListImagePackages reads (a Debian image's
// is well under 1 MiB).
const maxSBOM = 32 << 20

// imagePackages reads the packages the build of rec recorded in its SBOM
// (in the artifact store, beside the image's outputs): none for an image
// that is not AVAILABLE or was not built here (the catalogue's).
func (s *Service) imagePackages(ctx context.Context, rec store.Record) ([]sbom.Package, error) {
	if statusOf(rec) != ImageAvailable || rec.ARN.IsAWSOwned() {
		return nil, nil
	}
	if s.files == nil {
		return nil, apierr.ResourceNotFound("The packages of %s are not on this server: it has no artifact store.", rec.ARN)
	}
	key := path.Join(artifacts.ImagePrefix(rec.ARN.Account, rec.ARN), sbom.FileName)
	data, size, err := s.files.Read(ctx, key, 0, maxSBOM)
	switch {
	case errors.Is(err, artifacts.ErrNotFound):
		return nil, nil // built before builds recorded their SBOM
	case err != nil:
		return nil, apierr.Service("The package list of %s could not be read from the artifact store. Try again later.", rec.ARN).WithCause(err)
	case size > int64(len(data)):
		return nil, apierr.Service("The package list of %s is larger than %d bytes.", rec.ARN, maxSBOM)
	}
	pkgs, err := sbom.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, apierr.Service("The package list of %s is damaged.", rec.ARN).WithCause(err)
	}
	return pkgs, nil
}

// packagePage is the page of pkgs that maxResults and nextToken select (a
// token is the offset of the next page, bound to the image), and the token
// of the page after it.
func packagePage(a arn.ARN, pkgs []sbom.Package, maxResults int32, nextToken string) ([]sbom.Package, string, error) {
	var q store.Query
	if err := page(&q, maxResults, ""); err != nil {
		return nil, "", err
	}
	from := 0
	if nextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(nextToken)
		off, image, ok := strings.Cut(string(b), " ")
		n, nerr := strconv.Atoi(off)
		if err != nil || !ok || nerr != nil || image != a.String() || n <= 0 || n > len(pkgs) {
			return nil, "", apierr.InvalidPaginationToken("The pagination token is not valid for this image's packages.")
		}
		from = n
	}
	to := min(from+q.Limit, len(pkgs))
	next := ""
	if to < len(pkgs) {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(to) + " " + a.String()))
	}
	return pkgs[from:to], next, nil
}
