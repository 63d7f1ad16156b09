import { describe, expect, it } from "vitest";
import type { Clock } from "../../../lib/clock.ts";
import { loadSpotifyConfig } from "../../../lib/config.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { CooldownError } from "../../../lib/errors.ts";
import { Cooldown } from "../../../lib/spotify/cooldown.ts";
import {
  FleetCooldown,
  PROBE_POLL_MS,
  RECORD_MAX_AGE_MS,
} from "../../../lib/spotify/fleet-cooldown.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { MemoryCooldownStore, MemoryCooldownTable } from "../../support/memory-stores.ts";

const settings = loadSpotifyConfig({ SPOTIFY_SECRET_ID: "s" }).retry;

/** A clock whose sleeps also run `onSleep`: what happens elsewhere while a container polls. */
function steppingClock(clock: FakeClock, onSleep: (sleeps: number) => Promise<void> | void): Clock {
  let sleeps = 0;
  return {
    now: clock.now,
    sleep: async (ms, signal) => {
      await clock.sleep(ms, signal);
      await onSleep(++sleeps);
    },
  };
}

/** One container: its own cooldown and its own view of the fleet's shared record. */
function container(table: MemoryCooldownTable, clock: Clock) {
  const store = new MemoryCooldownStore(table, clock);
  const cooldown = new Cooldown();
  const fleet = new FleetCooldown({ store, cooldown, clock, settings });
  return { store, cooldown, fleet };
}

function fleetOf() {
  const clock = new FakeClock();
  const table = new MemoryCooldownTable();
  const deadline = () => new Deadline(clock.now() + 20_000, clock);
  return { clock, table, deadline };
}

describe("FleetCooldown.refresh", () => {
  it("a window another container announced goes into this container's cooldown, with its reason", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    const b = container(table, clock);
    await a.fleet.announce(clock.now() + 30_000, "QUOTA_EXCEEDED", deadline());

    await b.fleet.refresh(deadline());

    expect(b.cooldown.remainingMs(clock.now())).toBe(30_000);
    expect(b.cooldown.reasonAt(clock.now())).toBe("QUOTA_EXCEEDED");
  });

  it("a settled record changes nothing", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    const b = container(table, clock);
    await a.fleet.announce(clock.now() + 1_000, undefined, deadline());
    await a.fleet.settle({ window: clock.now() + 1_000 }, deadline());

    await b.fleet.refresh(deadline());

    expect(b.cooldown.remainingMs(clock.now())).toBe(0);
    expect(b.cooldown.startProbe()).toBeUndefined();
  });

  it("a record read within the last 100 ms is used again without another read", async () => {
    const { clock, table, deadline } = fleetOf();
    const b = container(table, clock);
    await b.fleet.refresh(deadline());
    await container(table, clock).fleet.announce(clock.now() + 30_000, undefined, deadline());

    clock.advance(RECORD_MAX_AGE_MS);
    await b.fleet.refresh(deadline());

    expect(b.store.reads).toBe(1);
    expect(b.cooldown.remainingMs(clock.now())).toBe(0);
  });

  it("an unavailable store leaves the container's own cooldown to decide", async () => {
    const { clock, table, deadline } = fleetOf();
    const b = container(table, clock);
    b.cooldown.extend(clock.now() + 4_000);
    table.available = false;

    await b.fleet.refresh(deadline());

    expect(b.cooldown.remainingMs(clock.now())).toBe(4_000);
  });
});

describe("FleetCooldown.remainingMs", () => {
  it("counts the fleet's window from a record another read brought within the last 100 ms, with no I/O", async () => {
    const { clock, table, deadline } = fleetOf();
    const b = container(table, clock);
    await container(table, clock).fleet.announce(clock.now() + 30_000, undefined, deadline());
    b.store.remember();

    clock.advance(RECORD_MAX_AGE_MS);

    expect(b.fleet.remainingMs(clock.now())).toBe(30_000 - RECORD_MAX_AGE_MS);
    expect(b.store.reads).toBe(0);
  });

  it("ignores a record older than 100 ms and reads nothing: only this container's cooldown counts", async () => {
    const { clock, table, deadline } = fleetOf();
    const b = container(table, clock);
    await container(table, clock).fleet.announce(clock.now() + 30_000, undefined, deadline());
    b.store.remember();

    clock.advance(RECORD_MAX_AGE_MS + 1);

    expect(b.fleet.remainingMs(clock.now())).toBe(0);
    expect(b.store.reads).toBe(0);
  });
});

describe("FleetCooldown.beforeProbe", () => {
  it("after a window, one container takes the lease and probes for the fleet", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    const window = clock.now() + 1_000;
    await a.fleet.announce(window, undefined, deadline());
    clock.advance(1_000);

    const lease = await a.fleet.beforeProbe(deadline());

    expect(lease).toEqual({ window });
    expect(table.record()?.probeOwner).toEqual(expect.any(String));
    expect(table.record()?.probeUntil).toBeGreaterThan(clock.now() + settings.attemptTimeoutMs);
  });

  it("the holder renews its lease while it retries, so it still covers the probe", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    await a.fleet.announce(clock.now() + 1_000, undefined, deadline());
    clock.advance(1_000);
    await a.fleet.beforeProbe(deadline());
    const first = table.record()?.probeUntil ?? 0;

    clock.advance(3_000);
    const renewed = await a.fleet.beforeProbe(deadline());

    expect(renewed).toBeDefined();
    expect(table.record()?.probeUntil).toBe(first + 3_000);
  });

  it("another container waits for the probe, polling, and goes once the probe settles the window", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    await a.fleet.announce(clock.now() + 1_000, undefined, deadline());
    clock.advance(1_000);
    const lease = await a.fleet.beforeProbe(deadline());
    const owner = table.record()?.probeOwner;
    const polls: number[] = [];
    const b = container(
      table,
      steppingClock(clock, async (sleeps) => {
        polls.push(sleeps);
        if (sleeps === 3 && lease) await a.fleet.settle(lease, deadline());
      }),
    );

    const bLease = await b.fleet.beforeProbe(deadline());

    expect(bLease).toBeUndefined();
    expect(polls).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([PROBE_POLL_MS, PROBE_POLL_MS, PROBE_POLL_MS]);
    expect(table.record()).toMatchObject({ settled: true, probeOwner: undefined });
    expect(owner).toBeDefined();
  });

  it("a lease whose holder went silent passes to the next container once it expires", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    const b = container(table, clock);
    const window = clock.now() + 1_000;
    await a.fleet.announce(window, undefined, deadline());
    clock.advance(1_000);
    await a.fleet.beforeProbe(deadline());
    const aOwner = table.record()?.probeOwner;
    clock.advance(50);

    const lease = await b.fleet.beforeProbe(new Deadline(clock.now() + 60_000, clock));

    expect(lease).toEqual({ window });
    expect(table.record()?.probeOwner).not.toBe(aOwner);
    expect(clock.sleeps.length).toBeGreaterThan(0);
    expect(clock.sleeps.every((ms) => ms === PROBE_POLL_MS)).toBe(true);
  });

  // The gate and the lease's condition agree on when a lease has ended (`probeUntil <= now`).
  it("a container polling onto the very millisecond a lease ends takes it over", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    const b = container(table, clock);
    await a.fleet.announce(clock.now() + 1_000, undefined, deadline());
    clock.advance(1_000);
    await a.fleet.beforeProbe(deadline());
    clock.advance((table.record()?.probeUntil ?? 0) - clock.now());

    const lease = b.fleet.beforeProbe(new Deadline(clock.now() + 60_000, clock));

    await expect(lease).resolves.toBeDefined();
    expect(b.store.reads).toBeLessThan(10);
  });

  it("a waiting container gives up with a 429 when the deadline leaves no room for another poll", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    const b = container(table, clock);
    await a.fleet.announce(clock.now() + 1_000, undefined, deadline());
    clock.advance(1_000);
    await a.fleet.beforeProbe(deadline());

    const waiting = b.fleet.beforeProbe(new Deadline(clock.now() + 1_000, clock));

    await expect(waiting).rejects.toBeInstanceOf(CooldownError);
    await expect(waiting).rejects.toMatchObject({ status: 429, retryAfterSeconds: 1 });
  });

  it("a newer window found at the probe goes into the cooldown instead of a lease", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);
    const b = container(table, clock);
    await a.fleet.announce(clock.now() + 1_000, undefined, deadline());
    clock.advance(1_000);
    await a.fleet.announce(clock.now() + 30_000, "QUOTA_EXCEEDED", deadline());

    const lease = await b.fleet.beforeProbe(deadline());

    expect(lease).toBeUndefined();
    expect(b.cooldown.remainingMs(clock.now())).toBe(30_000);
    expect(table.record()?.probeOwner).toBeUndefined();
  });

  it("with no record, a settled one, or an unavailable store, no lease is needed", async () => {
    const { clock, table, deadline } = fleetOf();
    const a = container(table, clock);

    expect(await a.fleet.beforeProbe(deadline())).toBeUndefined();
    await a.fleet.announce(clock.now(), undefined, deadline());
    await a.fleet.settle({ window: clock.now() }, deadline());
    expect(await a.fleet.beforeProbe(deadline())).toBeUndefined();
    await a.fleet.announce(clock.now() + 1, undefined, deadline());
    clock.advance(1);
    table.available = false;
    expect(await a.fleet.beforeProbe(deadline())).toBeUndefined();
    expect(clock.sleeps).toEqual([]);
  });
});
