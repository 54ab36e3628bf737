package service

// Sites: the regions images can be distributed to.

import "fmt"

// Site is a region images can be distributed to: the home site (the
// service's Region) or one of the server's configured sites.
type Site struct {
	// Name is the region name a distribution configuration uses.
	Name string
	// Location is the site's store: a folder or s3://bucket[/prefix];
	// empty for the home site, whose store is the server's artifacts.
	Location string
	// Profile is the AWS shared-config profile of an s3:// site's
	// endpoint and credentials; empty: the default chain.
	Profile string
	// Formats are the lower-case disk formats the site receives (qcow2,
	// raw, vmdk, vhdx, vhd).
	Formats []string
}

// homeAndSites returns the home site followed by sites, refusing a site
// named like the home region or twice.
func homeAndSites(home string, sites []Site) ([]Site, error) {
	out := append(make([]Site, 0, len(sites)+1), Site{Name: home, Formats: []string{"qcow2"}})
	for _, s := range sites {
		for _, o := range out {
			if o.Name == s.Name {
				return nil, fmt.Errorf("service: site %s is configured twice (or is the home region)", s.Name)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Sites returns the sites images can be distributed to, the home site first.
func (s *Service) Sites() []Site { return append([]Site(nil), s.sites...) }

// site returns the site named region.
func (s *Service) site(region string) (Site, bool) {
	for _, st := range s.sites {
		if st.Name == region {
			return st, true
		}
	}
	return Site{}, false
}

// siteNames lists the sites' names, the home site first.
func (s *Service) siteNames() []string {
	names := make([]string, len(s.sites))
	for i, st := range s.sites {
		names[i] = st.Name
	}
	return names
}
