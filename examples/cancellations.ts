import { createPolicy, Dispatcher, Fleet } from 'crowd-dispatch';

const fleet = new Fleet();
fleet.add({ id: 'anna', lat: 47.3769, lon: 8.5417, tier: 'friend' });
fleet.add({ id: 'ben', lat: 47.3901, lon: 8.5156, tier: 'friend' });
const dispatcher = new Dispatcher({ fleet, policy: createPolicy({ waves: [{ size: 1, offsetMs: 0 }] }) });

const t0 = Date.UTC(2026, 0, 5, 9);
dispatcher.open({ id: 'job-1', lat: 47.3782, lon: 8.54, tier: 'friend' }, t0); // notify anna
dispatcher.accept('job-1', 'anna', t0 + 5_000, 'req-anna'); // anna wins…
const r = dispatcher.technicianCancel('job-1', 'anna', t0 + 60_000, 'car broke down'); // …and cancels
if (r.outcome === 'reopened') console.log(r.effects); // reopened (new deadline), notify ben — never anna again
console.log(dispatcher.accept('job-1', 'anna', t0 + 61_000, 'req-anna').outcome); // offer_cancelled
dispatcher.accept('job-1', 'ben', t0 + 62_000);
console.log(dispatcher.complete('job-1', t0 + 3_600_000, 'customer_no_show')); // true: ben released, logged
