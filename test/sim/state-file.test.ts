// The state file's group commit: changes made together share one save, a change made while
// a save runs waits for the next one, and once the file is closed nothing more is written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterState } from '../../sim/model';
import { StateFile } from '../../sim/state-file';
import { tmpDir } from './helpers';

const onDisk = (file: StateFile) => JSON.parse(fs.readFileSync(file.file, 'utf8')) as ClusterState;
const stateOf = (nextPolicyId: number) => ({ version: 1, nextPolicyId }) as unknown as ClusterState;

/** Holds every rename into state.json until released, and counts them. */
function gateRenames() {
  const real = fs.promises.rename;
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  const gated = {
    renames: 0,
    close: () => (gate = new Promise<void>((r) => (open = r))),
    open: () => open(),
  };
  jest.spyOn(fs.promises, 'rename').mockImplementation(async (from, to) => {
    if (String(to).endsWith('state.json')) {
      gated.renames++;
      await gate;
    }
    return real(from, to);
  });
  return gated;
}

describe('the state file', () => {
  afterEach(() => jest.restoreAllMocks());

  it('saves many changes made together once', async () => {
    // Prepare
    const renames = gateRenames();
    const file = new StateFile(tmpDir());
    const state = stateOf(0);
    // Act
    const waits: Promise<void>[] = [];
    for (let i = 1; i <= 100; i++) {
      state.nextPolicyId = i;
      file.changed(state);
      waits.push(file.durable());
    }
    await Promise.all(waits);
    // Assess
    expect(renames.renames).toBe(1);
    expect(onDisk(file).nextPolicyId).toBe(100);
  });

  it('makes a change made during a save wait for the next save', async () => {
    // Prepare: a save of the first change, held before its rename
    const renames = gateRenames();
    renames.close();
    const file = new StateFile(tmpDir());
    const state = stateOf(1);
    file.changed(state);
    let firstDone = false;
    const first = file.durable().then(() => (firstDone = true));
    await until(() => renames.renames === 1);
    // Act: a second change while the first save runs
    state.nextPolicyId = 2;
    file.changed(state);
    let secondDone = false;
    const second = file.durable().then(() => (secondDone = true));
    renames.open();
    await first;
    // Assess: the first save held the state as it was when it began, the second waits for its own
    expect(firstDone).toBe(true);
    expect(onDisk(file).nextPolicyId).toBe(1);
    expect(secondDone).toBe(false);
    await second;
    expect(onDisk(file).nextPolicyId).toBe(2);
    expect(renames.renames).toBe(2);
  });

  it('resolves at once when nothing changed since the last save', async () => {
    // Prepare
    const file = new StateFile(tmpDir());
    file.changed(stateOf(7));
    await file.durable();
    // Act + Assess
    await expect(file.durable()).resolves.toBeUndefined();
  });

  it('writes what was changed before it closed, and nothing after', async () => {
    // Prepare
    const dir = tmpDir();
    const file = new StateFile(dir);
    const state = stateOf(1);
    file.changed(state);
    // Act
    await file.close();
    state.nextPolicyId = 2;
    file.changed(state);
    // Assess
    await expect(file.durable()).rejects.toThrow(/closed/);
    expect(new StateFile(dir).load()?.nextPolicyId).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f !== path.basename(file.file))).toEqual([]);
  });

  it('tells the waiters when a save fails, and saves again for the next change', async () => {
    // Prepare: a data dir that does not exist makes the first save fail
    const dir = path.join(tmpDir(), 'later');
    const file = new StateFile(dir);
    const state = stateOf(1);
    file.changed(state);
    // Act + Assess
    await expect(file.durable()).rejects.toThrow();
    fs.mkdirSync(dir);
    state.nextPolicyId = 2;
    file.changed(state);
    await file.durable();
    expect(onDisk(file).nextPolicyId).toBe(2);
  });
});

/** Polls `ready` each turn of the event loop for up to two seconds. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
}
