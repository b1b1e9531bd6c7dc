# Sourced by the scripts that need the real runtimes (test-all.sh, bench.sh): provisions them
# for this shell's session, stops what was started when the shell exits, and exports the
# ATTESTOR_E2E_* environment that the e2e suites and the benchmark read.
state_dir=${ATTESTOR_PROVISION_STATE:-/run/attestor-e2e}
export ATTESTOR_PROVISION_SESSION=$$
trap 'tools/provision/provision.sh stop' EXIT
tools/provision/provision.sh start
set -a
# shellcheck disable=SC1091
. "$state_dir/env"
set +a
