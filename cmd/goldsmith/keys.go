package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

func newKeysCommand() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the API's access keys (create, list, revoke)",
	}
	sf.register(cmd.PersistentFlags())
	open := func(cmd *cobra.Command) (store.Store, error) {
		cfg, err := sf.resolve(cmd.Flags(), server.Config{})
		if err != nil {
			return nil, err
		}
		st, err := server.OpenExistingStore(cmd.Context(), cfg)
		return st, storeError(err)
	}

	var account string
	var newAccount bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an access key (for the first account unless --account or --new-account)",
		Args:  noArgs(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()
			switch {
			case newAccount:
				acct, err := server.CreateAccount(ctx, st, "")
				if err != nil {
					return err
				}
				account = acct.ID
			case account == "":
				accts, err := st.ListAccounts(ctx)
				if err != nil {
					return err
				}
				if len(accts) == 0 {
					return fmt.Errorf("there is no account yet: run goldsmith serve once, or pass --new-account")
				}
				account = accts[0].ID
			}
			key, err := server.CreateKey(ctx, st, account)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "account: %s\naws_access_key_id = %s\naws_secret_access_key = %s\n", key.Account, key.ID, key.Secret)
			return nil
		},
	}
	create.Flags().StringVar(&account, "account", "", "account id the key belongs to")
	create.Flags().BoolVar(&newAccount, "new-account", false, "create a new account for the key")

	out := outputTable
	list := &cobra.Command{
		Use:   "list",
		Short: "List access keys",
		Args:  noArgs(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			keys, err := st.ListAccessKeys(cmd.Context(), "")
			if err != nil {
				return err
			}
			if out == outputJSON {
				return writeJSON(cmd.OutOrStdout(), keysJSON(keys))
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACCESS KEY ID\tACCOUNT\tCREATED\tSTATUS")
			for _, k := range keys {
				status := "active"
				if k.Revoked() {
					status = "revoked " + k.RevokedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.Account, k.CreatedAt.UTC().Format(time.RFC3339), status)
			}
			return tw.Flush()
		},
	}

	revoke := &cobra.Command{
		Use:   "revoke ACCESS_KEY_ID",
		Short: "Revoke an access key; requests signed with it fail at once",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.GetAccessKey(cmd.Context(), args[0]); err != nil {
				return fmt.Errorf("access key %s: %w", args[0], err)
			}
			k, err := st.RevokeAccessKey(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %s (account %s)\n", k.ID, k.Account)
			return nil
		},
	}
	out.register(list)
	revoke.Args = exactArgs("ACCESS_KEY_ID (goldsmith keys list shows them)")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// accessKeyJSON is a key as keys list --output json shows it (never the
// secret).
type accessKeyJSON struct {
	AccessKeyID string     `json:"accessKeyId"`
	Account     string     `json:"account"`
	CreatedAt   time.Time  `json:"createdAt"`
	Status      string     `json:"status"` // active or revoked
	RevokedAt   *time.Time `json:"revokedAt,omitempty"`
}

func keysJSON(keys []store.AccessKey) []accessKeyJSON {
	out := make([]accessKeyJSON, 0, len(keys))
	for _, k := range keys {
		j := accessKeyJSON{AccessKeyID: k.ID, Account: k.Account, CreatedAt: k.CreatedAt.UTC(), Status: "active"}
		if k.Revoked() {
			at := k.RevokedAt.UTC()
			j.Status, j.RevokedAt = "revoked", &at
		}
		out = append(out, j)
	}
	return out
}
