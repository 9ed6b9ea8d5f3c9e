"""The "go-ledger" sample repository: a small Go ledger service with three pending branches.

Main holds six commits by three people; the pending branches are a Copilot coding-agent change, a
human bug fix and a Claude-assisted refactor. Authors and dates are fixed, so commit ids never change.
`EXPECTED` gives the added lines per branch split by provenance, checked by the tests with git.
"""

from __future__ import annotations

from pathlib import Path

from .builder import Clock, Person, RepoBuilder
from .payments import COPILOT, GITHUB, finish_as_clone

NAME = "go-ledger"

JONAS = Person("Jonas Weber", "jonas.weber@ledgerco.example")
AIKO = Person("Aiko Tanaka", "aiko.tanaka@ledgerco.example")
RAVI = Person("Ravi Patel", "ravi.patel@ledgerco.example")

SENIORS = (JONAS.email,)

PENDING_BRANCHES = ("copilot/add-idempotency-keys", "fix/overdraft-check", "refactor/ledger-store-claude")

EXPECTED: dict[str, dict[str, object]] = {
    "copilot/add-idempotency-keys": {"ai_added": 94, "human_added": 0, "tools": ("copilot",)},
    "fix/overdraft-check": {"ai_added": 0, "human_added": 8, "tools": ()},
    "refactor/ledger-store-claude": {"ai_added": 81, "human_added": 25, "tools": ("claude",)},
}

START = 1_769_932_800  # 2026-02-01 08:00 UTC

GO_MOD = """module github.com/ledgerco/go-ledger

go 1.23

require github.com/google/uuid v1.6.0
"""

GO_SUM = """github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=
github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=
"""

README_MD = """# go-ledger

A double-entry ledger service. Accounts hold balances in minor units; a transfer moves money
between two accounts atomically.

```
go test ./...
go run ./cmd/server -addr :8080
```
"""

ACCOUNT_GO = """package ledger

import (
\t"errors"
\t"fmt"
)

// Currency is an ISO 4217 code.
type Currency string

// Account holds a balance in minor units of one currency.
type Account struct {
\tID       string
\tCurrency Currency
\tBalance  int64
\t// Overdraft is how far below zero the balance may go.
\tOverdraft int64
\tClosed   bool
}

var (
\tErrAccountClosed   = errors.New("account is closed")
\tErrCurrency        = errors.New("currency mismatch")
\tErrInsufficient    = errors.New("insufficient funds")
\tErrUnknownAccount  = errors.New("unknown account")
\tErrInvalidAmount   = errors.New("amount must be positive")
)

// Available is what the account can still spend.
func (a *Account) Available() int64 {
\tif a.Closed {
\t\treturn 0
\t}
\treturn a.Balance + a.Overdraft
}

func (a *Account) String() string {
\treturn fmt.Sprintf("%s(%d %s)", a.ID, a.Balance, a.Currency)
}
"""

LEDGER_GO = """package ledger

import (
\t"sort"
\t"sync"
)

// Ledger keeps accounts and the journal of transfers between them.
type Ledger struct {
\tmu       sync.Mutex
\taccounts map[string]*Account
\tjournal  []Transfer
}

// New returns an empty ledger.
func New() *Ledger {
\treturn &Ledger{accounts: make(map[string]*Account)}
}

// Open creates an account, or returns the existing one with the same id and currency.
func (l *Ledger) Open(id string, currency Currency, overdraft int64) (*Account, error) {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tif acc, ok := l.accounts[id]; ok {
\t\tif acc.Currency != currency {
\t\t\treturn nil, ErrCurrency
\t\t}
\t\treturn acc, nil
\t}
\tacc := &Account{ID: id, Currency: currency, Overdraft: overdraft}
\tl.accounts[id] = acc
\treturn acc, nil
}

// Account returns a copy of the account with the given id.
func (l *Ledger) Account(id string) (Account, error) {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tacc, ok := l.accounts[id]
\tif !ok {
\t\treturn Account{}, ErrUnknownAccount
\t}
\treturn *acc, nil
}

// Accounts lists every account, sorted by id.
func (l *Ledger) Accounts() []Account {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tout := make([]Account, 0, len(l.accounts))
\tfor _, acc := range l.accounts {
\t\tout = append(out, *acc)
\t}
\tsort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
\treturn out
}

// Total sums all balances of one currency; zero when the books balance.
func (l *Ledger) Total(currency Currency) int64 {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tvar total int64
\tfor _, acc := range l.accounts {
\t\tif acc.Currency == currency {
\t\t\ttotal += acc.Balance
\t\t}
\t}
\treturn total
}
"""

TRANSFER_GO = """package ledger

import (
\t"time"

\t"github.com/google/uuid"
)

// Transfer is one journal entry: Amount moves From -> To.
type Transfer struct {
\tID     string
\tFrom   string
\tTo     string
\tAmount int64
\tAt     time.Time
\tMemo   string
}

// Transfer moves amount between two accounts of the same currency, atomically.
func (l *Ledger) Transfer(from, to string, amount int64, memo string) (Transfer, error) {
\tif amount <= 0 {
\t\treturn Transfer{}, ErrInvalidAmount
\t}
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tsrc, ok := l.accounts[from]
\tif !ok {
\t\treturn Transfer{}, ErrUnknownAccount
\t}
\tdst, ok := l.accounts[to]
\tif !ok {
\t\treturn Transfer{}, ErrUnknownAccount
\t}
\tif src.Closed || dst.Closed {
\t\treturn Transfer{}, ErrAccountClosed
\t}
\tif src.Currency != dst.Currency {
\t\treturn Transfer{}, ErrCurrency
\t}
\tif src.Balance-amount < -src.Overdraft-amount {
\t\treturn Transfer{}, ErrInsufficient
\t}
\tsrc.Balance -= amount
\tdst.Balance += amount
\tt := Transfer{ID: uuid.NewString(), From: from, To: to, Amount: amount, At: time.Now().UTC(), Memo: memo}
\tl.journal = append(l.journal, t)
\treturn t, nil
}

// History returns the transfers that touched an account, oldest first.
func (l *Ledger) History(id string) []Transfer {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tvar out []Transfer
\tfor _, t := range l.journal {
\t\tif t.From == id || t.To == id {
\t\t\tout = append(out, t)
\t\t}
\t}
\treturn out
}
"""

LEDGER_TEST_GO = """package ledger

import "testing"

func TestOpenIsIdempotent(t *testing.T) {
\tl := New()
\ta, _ := l.Open("alice", "EUR", 0)
\tb, err := l.Open("alice", "EUR", 0)
\tif err != nil || a != b {
\t\tt.Fatalf("want the same account, got %v %v", b, err)
\t}
\tif _, err := l.Open("alice", "USD", 0); err != ErrCurrency {
\t\tt.Fatalf("want ErrCurrency, got %v", err)
\t}
}

func TestAccountsAreSorted(t *testing.T) {
\tl := New()
\tfor _, id := range []string{"carol", "alice", "bob"} {
\t\tl.Open(id, "EUR", 0)
\t}
\tgot := l.Accounts()
\tif got[0].ID != "alice" || got[2].ID != "carol" {
\t\tt.Fatalf("unsorted: %v", got)
\t}
}
"""

TRANSFER_TEST_GO = """package ledger

import "testing"

func setup(t *testing.T) *Ledger {
\tt.Helper()
\tl := New()
\tl.Open("bank", "EUR", 1_000_000)
\tl.Open("alice", "EUR", 0)
\tl.Open("bob", "EUR", 0)
\tif _, err := l.Transfer("bank", "alice", 500, "funding"); err != nil {
\t\tt.Fatal(err)
\t}
\treturn l
}

func TestTransferMovesMoney(t *testing.T) {
\tl := setup(t)
\tif _, err := l.Transfer("alice", "bob", 200, "lunch"); err != nil {
\t\tt.Fatal(err)
\t}
\talice, _ := l.Account("alice")
\tbob, _ := l.Account("bob")
\tif alice.Balance != 300 || bob.Balance != 200 {
\t\tt.Fatalf("alice=%d bob=%d", alice.Balance, bob.Balance)
\t}
\tif l.Total("EUR") != 0 {
\t\tt.Fatalf("books do not balance: %d", l.Total("EUR"))
\t}
}

func TestTransferRejectsBadInput(t *testing.T) {
\tl := setup(t)
\tcases := []struct {
\t\tname     string
\t\tfrom, to string
\t\tamount   int64
\t\twant     error
\t}{
\t\t{"zero", "alice", "bob", 0, ErrInvalidAmount},
\t\t{"unknown", "alice", "mallory", 10, ErrUnknownAccount},
\t}
\tfor _, c := range cases {
\t\tt.Run(c.name, func(t *testing.T) {
\t\t\tif _, err := l.Transfer(c.from, c.to, c.amount, ""); err != c.want {
\t\t\t\tt.Fatalf("want %v, got %v", c.want, err)
\t\t\t}
\t\t})
\t}
}
"""

HANDLERS_GO = """package httpapi

import (
\t"encoding/json"
\t"errors"
\t"net/http"

\t"github.com/ledgerco/go-ledger/internal/ledger"
)

// Server exposes the ledger over HTTP.
type Server struct {
\tLedger *ledger.Ledger
}

type transferRequest struct {
\tFrom   string `json:"from"`
\tTo     string `json:"to"`
\tAmount int64  `json:"amount"`
\tMemo   string `json:"memo"`
}

func (s *Server) Routes() *http.ServeMux {
\tmux := http.NewServeMux()
\tmux.HandleFunc("POST /transfers", s.createTransfer)
\tmux.HandleFunc("GET /accounts/{id}", s.getAccount)
\tmux.HandleFunc("GET /healthz", s.healthz)
\treturn mux
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
\tw.WriteHeader(http.StatusOK)
}

func (s *Server) createTransfer(w http.ResponseWriter, r *http.Request) {
\tvar req transferRequest
\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {
\t\twriteError(w, http.StatusBadRequest, "invalid JSON")
\t\treturn
\t}
\tt, err := s.Ledger.Transfer(req.From, req.To, req.Amount, req.Memo)
\tswitch {
\tcase err == nil:
\t\twriteJSON(w, http.StatusCreated, t)
\tcase errors.Is(err, ledger.ErrUnknownAccount):
\t\twriteError(w, http.StatusNotFound, err.Error())
\tcase errors.Is(err, ledger.ErrInsufficient), errors.Is(err, ledger.ErrAccountClosed):
\t\twriteError(w, http.StatusConflict, err.Error())
\tdefault:
\t\twriteError(w, http.StatusUnprocessableEntity, err.Error())
\t}
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
\tacc, err := s.Ledger.Account(r.PathValue("id"))
\tif err != nil {
\t\twriteError(w, http.StatusNotFound, err.Error())
\t\treturn
\t}
\twriteJSON(w, http.StatusOK, acc)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
\tw.Header().Set("Content-Type", "application/json")
\tw.WriteHeader(status)
\tjson.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string) {
\twriteJSON(w, status, map[string]string{"error": message})
}
"""

MAIN_GO = """package main

import (
\t"context"
\t"flag"
\t"log"
\t"net/http"
\t"os"
\t"os/signal"
\t"time"

\t"github.com/ledgerco/go-ledger/internal/httpapi"
\t"github.com/ledgerco/go-ledger/internal/ledger"
)

func main() {
\taddr := flag.String("addr", ":8080", "listen address")
\tflag.Parse()

\tsrv := &http.Server{
\t\tAddr:              *addr,
\t\tHandler:           (&httpapi.Server{Ledger: ledger.New()}).Routes(),
\t\tReadHeaderTimeout: 5 * time.Second,
\t}
\tgo func() {
\t\tif err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
\t\t\tlog.Fatal(err)
\t\t}
\t}()
\tlog.Printf("listening on %s", *addr)

\tstop := make(chan os.Signal, 1)
\tsignal.Notify(stop, os.Interrupt)
\t<-stop
\tctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
\tdefer cancel()
\tif err := srv.Shutdown(ctx); err != nil {
\t\tlog.Printf("shutdown: %v", err)
\t}
}
"""

DOCKERFILE = """FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/server /server
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/server"]
"""

CI_YML = """name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: "1.23"
      - run: go vet ./...
      - run: go test -race ./...
"""

REVIEW_TUI_TOML = """[tiers]

[[tiers.rules]]
glob = "internal/ledger/**"
tier = 0
reason = "balances and transfers"

[[tiers.rules]]
glob = "cmd/**"
tier = 1
reason = "service entry point"

[[tiers.rules]]
glob = "**/*_test.go"
tier = 3
reason = "tests"

[policy]
seniors = ["jonas.weber@ledgerco.example"]
"""

SAME_ACCOUNT_CHECK = """\tif from == to {
\t\treturn Transfer{}, ErrSameAccount
\t}
"""

# -- copilot/add-idempotency-keys --------------------------------------------------------------------
IDEMPOTENCY_GO = """package ledger

import (
\t"errors"
\t"sync"
\t"time"
)

// ErrKeyReused means an idempotency key came back with a different request.
var ErrKeyReused = errors.New("idempotency key reused with a different request")

type idempotentResult struct {
\tfingerprint string
\ttransfer    Transfer
\tstoredAt    time.Time
}

// Idempotency remembers the result of each keyed transfer for TTL, so a retried request
// returns the first result instead of moving money twice.
type Idempotency struct {
\tmu      sync.Mutex
\tTTL     time.Duration
\tresults map[string]idempotentResult
\tnow     func() time.Time
}

// NewIdempotency returns a store that keeps results for ttl.
func NewIdempotency(ttl time.Duration) *Idempotency {
\treturn &Idempotency{TTL: ttl, results: make(map[string]idempotentResult), now: time.Now}
}

// Do runs transfer once per key; later calls with the same key and fingerprint get the stored result.
func (s *Idempotency) Do(key, fingerprint string, transfer func() (Transfer, error)) (Transfer, error) {
\tif key == "" {
\t\treturn transfer()
\t}
\ts.mu.Lock()
\tdefer s.mu.Unlock()
\ts.expire()
\tif prev, ok := s.results[key]; ok {
\t\tif prev.fingerprint != fingerprint {
\t\t\treturn Transfer{}, ErrKeyReused
\t\t}
\t\treturn prev.transfer, nil
\t}
\tt, err := transfer()
\tif err != nil {
\t\treturn Transfer{}, err
\t}
\ts.results[key] = idempotentResult{fingerprint: fingerprint, transfer: t, storedAt: s.now()}
\treturn t, nil
}

func (s *Idempotency) expire() {
\tcutoff := s.now().Add(-s.TTL)
\tfor key, r := range s.results {
\t\tif r.storedAt.Before(cutoff) {
\t\t\tdelete(s.results, key)
\t\t}
\t}
}
"""

IDEMPOTENCY_TEST_GO = """package ledger

import (
\t"testing"
\t"time"
)

func TestIdempotentTransferRunsOnce(t *testing.T) {
\tl := setup(t)
\tstore := NewIdempotency(time.Hour)
\tmove := func() (Transfer, error) { return l.Transfer("alice", "bob", 100, "retry me") }
\tfirst, err := store.Do("key-1", "alice>bob:100", move)
\tif err != nil {
\t\tt.Fatal(err)
\t}
\tsecond, err := store.Do("key-1", "alice>bob:100", move)
\tif err != nil || second.ID != first.ID {
\t\tt.Fatalf("second call moved money again: %v %v", second, err)
\t}
\tif bob, _ := l.Account("bob"); bob.Balance != 100 {
\t\tt.Fatalf("bob=%d, want 100", bob.Balance)
\t}
}

func TestIdempotencyKeyReuseIsRejected(t *testing.T) {
\tl := setup(t)
\tstore := NewIdempotency(time.Hour)
\tstore.Do("key-2", "a", func() (Transfer, error) { return l.Transfer("alice", "bob", 1, "") })
\tother := func() (Transfer, error) { return l.Transfer("alice", "bob", 2, "") }
\tif _, err := store.Do("key-2", "b", other); err != ErrKeyReused {
\t\tt.Fatalf("want ErrKeyReused, got %v", err)
\t}
}
"""

# -- refactor/ledger-store-claude ----------------------------------------------------------------------
STORE_GO = """package ledger

import "sync"

// Store persists accounts and the journal. The in-memory store backs tests and the demo;
// the Postgres store implements the same interface.
type Store interface {
\tGet(id string) (*Account, bool)
\tPut(acc *Account)
\tAll() []*Account
\tAppend(t Transfer)
\tJournal() []Transfer
}

// MemoryStore keeps everything in maps and slices. Callers hold the ledger's lock.
type MemoryStore struct {
\tmu       sync.RWMutex
\taccounts map[string]*Account
\tjournal  []Transfer
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
\treturn &MemoryStore{accounts: make(map[string]*Account)}
}

func (m *MemoryStore) Get(id string) (*Account, bool) {
\tm.mu.RLock()
\tdefer m.mu.RUnlock()
\tacc, ok := m.accounts[id]
\treturn acc, ok
}

func (m *MemoryStore) Put(acc *Account) {
\tm.mu.Lock()
\tdefer m.mu.Unlock()
\tm.accounts[acc.ID] = acc
}

func (m *MemoryStore) All() []*Account {
\tm.mu.RLock()
\tdefer m.mu.RUnlock()
\tout := make([]*Account, 0, len(m.accounts))
\tfor _, acc := range m.accounts {
\t\tout = append(out, acc)
\t}
\treturn out
}

func (m *MemoryStore) Append(t Transfer) {
\tm.mu.Lock()
\tdefer m.mu.Unlock()
\tm.journal = append(m.journal, t)
}

func (m *MemoryStore) Journal() []Transfer {
\tm.mu.RLock()
\tdefer m.mu.RUnlock()
\treturn append([]Transfer(nil), m.journal...)
}
"""

STORE_TEST_GO = """package ledger

import "testing"

func TestMemoryStoreJournalIsACopy(t *testing.T) {
\ts := NewMemoryStore()
\ts.Append(Transfer{ID: "t1"})
\tj := s.Journal()
\tj[0].ID = "changed"
\tif s.Journal()[0].ID != "t1" {
\t\tt.Fatal("Journal exposed the internal slice")
\t}
}

func TestLedgerWorksOnAnyStore(t *testing.T) {
\tl := NewWithStore(NewMemoryStore())
\tl.Open("a", "EUR", 100)
\tl.Open("b", "EUR", 0)
\tif _, err := l.Transfer("a", "b", 50, ""); err != nil {
\t\tt.Fatal(err)
\t}
\tif l.Total("EUR") != 0 {
\t\tt.Fatal("books do not balance")
\t}
}
"""

LEDGER_GO_STORE = """package ledger

import (
\t"sort"
\t"sync"
)

// Ledger keeps accounts and the journal of transfers between them, in a Store.
type Ledger struct {
\tmu    sync.Mutex
\tstore Store
}

// New returns an empty ledger backed by memory.
func New() *Ledger {
\treturn NewWithStore(NewMemoryStore())
}

// NewWithStore returns a ledger over an existing store.
func NewWithStore(store Store) *Ledger {
\treturn &Ledger{store: store}
}

// Open creates an account, or returns the existing one with the same id and currency.
func (l *Ledger) Open(id string, currency Currency, overdraft int64) (*Account, error) {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tif acc, ok := l.store.Get(id); ok {
\t\tif acc.Currency != currency {
\t\t\treturn nil, ErrCurrency
\t\t}
\t\treturn acc, nil
\t}
\tacc := &Account{ID: id, Currency: currency, Overdraft: overdraft}
\tl.store.Put(acc)
\treturn acc, nil
}

// Account returns a copy of the account with the given id.
func (l *Ledger) Account(id string) (Account, error) {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tacc, ok := l.store.Get(id)
\tif !ok {
\t\treturn Account{}, ErrUnknownAccount
\t}
\treturn *acc, nil
}

// Accounts lists every account, sorted by id.
func (l *Ledger) Accounts() []Account {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tall := l.store.All()
\tout := make([]Account, 0, len(all))
\tfor _, acc := range all {
\t\tout = append(out, *acc)
\t}
\tsort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
\treturn out
}

// Total sums all balances of one currency; zero when the books balance.
func (l *Ledger) Total(currency Currency) int64 {
\tl.mu.Lock()
\tdefer l.mu.Unlock()
\tvar total int64
\tfor _, acc := range l.store.All() {
\t\tif acc.Currency == currency {
\t\t\ttotal += acc.Balance
\t\t}
\t}
\treturn total
}
"""

CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
CLAUDE_BODY = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"


def _later(b: RepoBuilder, hours: float) -> None:
    b.clock.tick(int(hours * 3600))


def _text(b: RepoBuilder, branch: str, path: str) -> str:
    return b.snapshots[branch][path][0].decode("utf-8")


def _replace(b: RepoBuilder, branch: str, path: str, old: str, new: str) -> str:
    current = _text(b, branch, path)
    if old not in current:
        raise ValueError(f"{path}: text to replace not found")
    return current.replace(old, new, 1)


def build_goapp(path: Path) -> Path:
    """Build the go-ledger repository at `path` (which must not exist yet) and return it."""
    b = RepoBuilder(path, clock=Clock(start=START, step=900))
    b.commit(
        "Ledger with accounts and balances\n",
        {
            "go.mod": GO_MOD,
            "go.sum": GO_SUM,
            "README.md": README_MD,
            "internal/ledger/account.go": ACCOUNT_GO,
            "internal/ledger/ledger.go": LEDGER_GO,
            "internal/ledger/ledger_test.go": LEDGER_TEST_GO,
        },
        author=JONAS,
    )
    _later(b, 30)
    b.commit(
        "Atomic transfers between accounts\n",
        {"internal/ledger/transfer.go": TRANSFER_GO, "internal/ledger/transfer_test.go": TRANSFER_TEST_GO},
        author=AIKO,
    )
    _later(b, 26)
    b.commit(
        "HTTP API and server entry point\n",
        {"internal/httpapi/handlers.go": HANDLERS_GO, "cmd/server/main.go": MAIN_GO},
        author=JONAS,
    )
    _later(b, 50)
    b.commit(
        "Dockerfile and CI\n\nDistroless image, race detector in CI.\n",
        {"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": CI_YML},
        author=RAVI,
    )
    _later(b, 22)
    b.commit("Review tiers for review-tui\n", {".review-tui.toml": REVIEW_TUI_TOML}, author=AIKO)
    b.branch("copilot/add-idempotency-keys", "main")
    b.branch("fix/overdraft-check", "main")
    _later(b, 28)
    b.commit(
        "Reject transfers to the same account\n",
        {
            "internal/ledger/account.go": _replace(
                b,
                "main",
                "internal/ledger/account.go",
                '\tErrInvalidAmount   = errors.New("amount must be positive")\n',
                '\tErrInvalidAmount   = errors.New("amount must be positive")\n'
                '\tErrSameAccount     = errors.New("cannot transfer to the same account")\n',
            ),
            "internal/ledger/transfer.go": _replace(
                b,
                "main",
                "internal/ledger/transfer.go",
                "\t\treturn Transfer{}, ErrInvalidAmount\n\t}\n",
                "\t\treturn Transfer{}, ErrInvalidAmount\n\t}\n" + SAME_ACCOUNT_CHECK,
            ),
        },
        author=JONAS,
    )
    b.branch("refactor/ledger-store-claude", "main")

    # Copilot coding agent: plan, implementation, tests.
    co_author = ("Co-authored-by: aikotanaka <27182818+aikotanaka@users.noreply.github.com>",)
    _later(b, 3)
    b.commit(
        "Initial plan\n\n" + co_author[0] + "\n",
        {},
        branch="copilot/add-idempotency-keys",
        author=COPILOT,
        committer=GITHUB,
    )
    _later(b, 0.4)
    b.commit(
        "Add idempotency keys for transfers\n\n"
        "A retried POST /transfers with the same Idempotency-Key returns\n"
        "the first transfer instead of moving money again.\n\n" + co_author[0] + "\n",
        {"internal/ledger/idempotency.go": IDEMPOTENCY_GO},
        branch="copilot/add-idempotency-keys",
        author=COPILOT,
        committer=GITHUB,
    )
    _later(b, 0.2)
    b.commit(
        "Add idempotency tests\n\n" + co_author[0] + "\n",
        {"internal/ledger/idempotency_test.go": IDEMPOTENCY_TEST_GO},
        branch="copilot/add-idempotency-keys",
        author=COPILOT,
        committer=GITHUB,
    )

    # Ravi: the overdraft check compared the wrong quantities.
    _later(b, 5)
    branch = "fix/overdraft-check"
    b.commit(
        "Fix overdraft check\n\nThe check subtracted the amount on both sides, so it never failed and any\n"
        "account could go arbitrarily negative.\n",
        {
            "internal/ledger/transfer.go": _replace(
                b,
                branch,
                "internal/ledger/transfer.go",
                "\tif src.Balance-amount < -src.Overdraft-amount {\n",
                "\tif src.Available() < amount {\n",
            ),
            "internal/ledger/transfer_test.go": _text(b, branch, "internal/ledger/transfer_test.go")
            + "\nfunc TestTransferRespectsOverdraft(t *testing.T) {\n\tl := setup(t)\n"
            '\tif _, err := l.Transfer("alice", "bob", 501, ""); err != ErrInsufficient {\n'
            '\t\tt.Fatalf("want ErrInsufficient, got %v", err)\n\t}\n}\n',
        },
        branch=branch,
        author=RAVI,
    )

    # Aiko with Claude Code: move state behind a Store interface.
    _later(b, 20)
    branch = "refactor/ledger-store-claude"
    b.commit(
        "Introduce a Store interface for ledger state\n\n"
        "The ledger no longer owns maps directly; a MemoryStore keeps\n"
        "today's behaviour and a Postgres store can follow.\n\n"
        + CLAUDE_BODY
        + "\n\n"
        + CLAUDE_TRAILER
        + "\n",
        {"internal/ledger/store.go": STORE_GO, "internal/ledger/ledger.go": LEDGER_GO_STORE},
        branch=branch,
        author=AIKO,
    )
    _later(b, 1)
    b.commit(
        "Use the store for transfers and history\n\n" + CLAUDE_BODY + "\n\n" + CLAUDE_TRAILER + "\n",
        {
            "internal/ledger/transfer.go": _text(b, branch, "internal/ledger/transfer.go")
            .replace("\tsrc, ok := l.accounts[from]\n", "\tsrc, ok := l.store.Get(from)\n")
            .replace("\tdst, ok := l.accounts[to]\n", "\tdst, ok := l.store.Get(to)\n")
            .replace("\tl.journal = append(l.journal, t)\n", "\tl.store.Append(t)\n")
            .replace("\tfor _, t := range l.journal {\n", "\tfor _, t := range l.store.Journal() {\n"),
        },
        branch=branch,
        author=AIKO,
    )
    _later(b, 2)
    b.commit(
        "Store tests\n",
        {"internal/ledger/store_test.go": STORE_TEST_GO},
        branch=branch,
        author=AIKO,
    )

    finish_as_clone(b, "https://git.ledgerco.example/platform/go-ledger.git")
    return path
