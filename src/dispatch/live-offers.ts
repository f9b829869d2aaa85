/**
 * Which jobs a technician may hold a running offer in — the index `technicianUnavailable` and an
 * award that fills a technician's capacity use to withdraw his other offers without a scan of
 * every job. Kept in step with the effects; entries of closed jobs are pruned as offers end.
 */
export class LiveOffers {
  // A technician holds running offers in a handful of jobs at most: a small array beats a Set.
  private readonly byTech = new Map<string, string[]>();

  /** Adds `jobId` to the technician's jobs; false when it was there already. */
  add(technicianId: string, jobId: string): boolean {
    const jobs = this.byTech.get(technicianId);
    if (!jobs) this.byTech.set(technicianId, [jobId]);
    else if (!jobs.includes(jobId)) jobs.push(jobId);
    else return false;
    return true;
  }

  /** Removes `jobId` from the technician's jobs; false when it was not there. */
  remove(technicianId: string, jobId: string): boolean {
    const jobs = this.byTech.get(technicianId);
    if (!jobs) return false;
    const i = jobs.indexOf(jobId);
    if (i < 0) return false;
    jobs[i] = jobs[jobs.length - 1]!;
    jobs.pop();
    if (jobs.length === 0) this.byTech.delete(technicianId);
    return true;
  }

  /** The jobs where the technician may hold a running offer (undefined: none). */
  jobsOf(technicianId: string): readonly string[] | undefined {
    return this.byTech.get(technicianId);
  }

  /** An independent copy (a failed replay puts it back). */
  clone(): LiveOffers {
    const c = new LiveOffers();
    for (const [k, v] of this.byTech) c.byTech.set(k, v.slice());
    return c;
  }
}
