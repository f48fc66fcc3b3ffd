#!/usr/bin/env bash
# cargo-deny: licences, bans and sources of the dependency graph (deny.toml),
# offline. Advisories are left out: they need the advisory database from the
# network. Installs cargo-deny when it is missing (about 5 min of CPU, 6-10 min
# on a busy 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-deny >/dev/null 2>&1; then
    echo "deny: installing cargo-deny"
    start=$(date +%s)
    cargo install --locked cargo-deny
    echo "deny: cargo-deny installed in $(( $(date +%s) - start )) s"
fi
# The crates' manifests must be in the local registry cache for an offline run.
cargo fetch --locked --quiet
cargo deny --offline check --hide-inclusion-graph licenses bans sources
