import { createPolicy, Dispatcher, Fleet } from 'crowd-dispatch';

const fleet = new Fleet();
const evenings = [1, 2, 3, 4, 5].map((day) => ({ day, start: '17:00', end: '23:00' }));
fleet.add({
  id: 'anna',
  lat: 47.3769,
  lon: 8.5417,
  tier: 'friend',
  availability: { timeZone: 'Europe/Zurich', windows: evenings },
});
fleet.add({ id: 'ben', lat: 47.3901, lon: 8.5156, tier: 'friend' }); // no windows: always available
const policy = createPolicy({ appointments: { leadMs: 4 * 3_600_000 }, preferredExclusiveMs: 600_000 });
const dispatcher = new Dispatcher({ fleet, policy });
const now = Date.UTC(2026, 11, 7, 8); // Monday 09:00 in Zurich

// An appointment tonight, 21:00–22:30: offers go out at 17:00 (4 h lead), to those free all evening.
const start = Date.UTC(2026, 11, 7, 20);
const window = { start, end: start + 90 * 60_000, timeZone: 'Europe/Zurich' };
console.log(dispatcher.open({ id: 'tv-tonight', lat: 47.37, lon: 8.54, window }, now)); // [] — nothing yet
const offersAt = start - 4 * 3_600_000;
console.log(dispatcher.advance(offersAt)); // notify anna and ben
console.log(dispatcher.accept('tv-tonight', 'anna', offersAt + 30_000).outcome); // assigned
console.log(fleet.reservationsOf('anna')); // her evening is reserved (no load taken) until complete/cancel

// A direct booking of ben from his profile: he alone for 10 minutes, then the crowd.
const booked = { id: 'router-ben', lat: 47.38, lon: 8.53, preferred: { technicianIds: ['ben'] } };
console.log(dispatcher.open(booked, offersAt + 60_000)); // notify ben, preferred: true
console.log(dispatcher.decline('router-ben', 'ben', offersAt + 90_000)); // he can't: the crowd now (anna)
