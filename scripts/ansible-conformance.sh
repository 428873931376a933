#!/usr/bin/env bash
# NetApp's Ansible modules (netapp.ontap, REST only) against the simulator over HTTPS: starts a
# simulated cluster pair, runs scripts/ansible/conformance.yml with the simulator's CA as the
# modules' CA bundle (validate_certs: true), and stops the clusters. A failing module means the
# simulator answers unlike ONTAP. Installs Debian's ansible package when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v ansible-playbook >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq ansible >/dev/null
fi
if ! ansible-doc -t module netapp.ontap.na_ontap_svm >/dev/null 2>&1; then
  echo "ansible has no netapp.ontap collection (Debian's ansible package ships it)" >&2
  exit 1
fi

work=$(mktemp -d)
sim_pid=
cleanup() {
  if [ -n "$sim_pid" ]; then kill -TERM -- "-$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Its own process group, so the cleanup stops tsx and the node process under it.
setsid node_modules/.bin/tsx sim/main.ts --data-dir "$work/clusters" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 300); do
  [ "$(grep -c '^{' "$work/sim.out" 2>/dev/null || true)" -ge 2 ] && break
  if ! kill -0 "$sim_pid" 2>/dev/null; then cat "$work/sim.err" >&2; exit 1; fi
  sleep 0.1
done
[ "$(grep -c '^{' "$work/sim.out")" -ge 2 ] || { echo "simulator did not start" >&2; cat "$work/sim.err" >&2; exit 1; }

# Playbook variables from the two JSON lines (source first), plus a node and an aggregate of each.
python3 - "$work/sim.out" "$work/vars.json" <<'PY'
import json, ssl, sys, urllib.request, base64
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
src, dst = lines[0], lines[1]
def get(c, path):
    ctx = ssl.create_default_context(cafile=c['caFile'])
    req = urllib.request.Request(c['baseUrl'] + path, headers={'authorization': 'Basic ' + base64.b64encode(f"{c['username']}:{c['password']}".encode()).decode()})
    return json.load(urllib.request.urlopen(req, context=ctx))
port = lambda c: int(c['baseUrl'].rsplit(':', 1)[1])
out = {
    'username': src['username'], 'password': src['password'], 'ca_file': src['caFile'],
    'src_port': port(src), 'dst_port': port(dst),
    'src_cluster': get(src, '/api/cluster?fields=name')['name'],
    'src_node': get(src, '/api/cluster/nodes?fields=name')['records'][0]['name'],
    'src_aggregate': get(src, '/api/storage/aggregates?fields=name')['records'][0]['name'],
    'dst_aggregate': get(dst, '/api/storage/aggregates?fields=name')['records'][0]['name'],
}
if src['caFile'] != dst['caFile']:
    # Each cluster has its own CA: one bundle with both.
    bundle = sys.argv[2] + '.ca.pem'
    open(bundle, 'w').write(open(src['caFile']).read().strip() + '\n' + open(dst['caFile']).read().strip() + '\n')
    out['ca_file'] = bundle
json.dump(out, open(sys.argv[2], 'w'))
PY

play() {
  ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=${ANSIBLE_STDOUT_CALLBACK:-default} \
    ansible-playbook -i localhost, scripts/ansible/conformance.yml -e "@$work/vars.json" "$@"
}
play "$@"

# Idempotence: the same playbook again (without the tasks a later one supersedes) must change
# nothing. A module that changes again read back something unlike what it set: the simulator
# answers unlike ONTAP.
echo "== second run: every module must report no change =="
play -e '{"rerun": true}' "$@" | tee "$work/rerun.out"
recap=$(grep -A1 '^PLAY RECAP' "$work/rerun.out" | tail -1)
if ! grep -Eq 'changed=0 .*failed=0' <<<"$recap"; then
  echo "second run changed something (not idempotent against the simulator):" >&2
  grep -B1 '^changed:' "$work/rerun.out" | grep '^TASK' >&2 || true
  exit 1
fi
echo "idempotent: $recap"
