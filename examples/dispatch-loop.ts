import { createPolicy, Dispatcher, Fleet } from 'crowd-dispatch';

const fleet = new Fleet();
fleet.add({ id: 'anna', lat: 47.3769, lon: 8.5417, tier: 'friend' });
fleet.add({ id: 'ben', lat: 47.3901, lon: 8.5156, tier: 'friend' });
fleet.add({ id: 'carla', lat: 47.4102, lon: 8.5467, tier: 'friend' });
const policy = createPolicy({
  waves: [
    { size: 2, offsetMs: 0 },
    { size: 5, offsetMs: 15_000 },
  ],
});
const dispatcher = new Dispatcher({ fleet, policy });

const t0 = Date.UTC(2026, 0, 5, 9); // time is passed in, never read inside the library
const job = { id: 'job-1', lat: 47.3782, lon: 8.54, tier: 'friend' as const };
console.log(dispatcher.open(job, t0)); // notify wave 0: anna, ben (distances rounded to 0.5 km)
console.log(dispatcher.advance(dispatcher.nextDueAt()!)); // t0 + 15 s: notify wave 1: carla

// Two accepts race for the job: exactly one wins, the other learns only that it is taken.
const [ben, carla] = await Promise.all([
  Promise.resolve().then(() => dispatcher.accept('job-1', 'ben', t0 + 16_000, 'req-ben')),
  Promise.resolve().then(() => dispatcher.accept('job-1', 'carla', t0 + 16_000, 'req-carla')),
]);
console.log(ben.outcome, carla.outcome); // assigned already_taken
if (ben.outcome === 'assigned') console.log(ben.effects); // assigned to ben, revoke to anna and carla
console.log(dispatcher.accept('job-1', 'ben', t0 + 17_000, 'req-ben')); // a retry: the same assignment
dispatcher.complete('job-1', t0 + 3_600_000); // ben finished: his load is released
