import type {
  ExtendedGroupProtocolSubscription,
  GroupAssignment,
  GroupPartitionsAssigner,
  GroupPartitionsAssignments,
} from '@platformatic/kafka';

/**
 * The cooperative-sticky assignment the group leader computes, passed to the consumer in place
 * of the one @platformatic/kafka 2.12 ships. That one balances only while some member owns more
 * than ceil(partitions / members): with 4 partitions owned 2 + 2, a third member gets nothing,
 * ever (and 6 owned 2 + 2 + 2 leave a fourth idle); see docs/decisions.md.
 *
 * Per topic, among the members subscribed to it (sorted by member id):
 * - a partition's previous owner is the one member claiming it in the newest generation any
 *   member reports (claims of older generations are ignored; two claims in the same generation
 *   are contested: nobody owns the partition and it is held back for one generation);
 * - of P partitions and N members, P mod N members get ceil(P / N) and the others floor(P / N),
 *   the larger quotas going to the members that own the most; a member gives up its lowest owned
 *   partitions beyond its quota (the ones the client's assignor moves first, so a group that it
 *   did balance moves the same partitions as before);
 * - a partition given up is assigned to nobody in this generation (its owner first lets it go,
 *   then joins again, and the next generation assigns it: the cooperative protocol's two
 *   rounds); partitions nobody owns go to the members furthest below their quota.
 *
 * The result is balanced (sizes differ by at most one) once the partitions given up have moved,
 * and no partition is assigned to a new member in the generation that takes it from its owner.
 */
export const cooperativeStickyAssignor: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  const result = new Map<string, Map<string, GroupAssignment>>();
  for (const memberId of members.keys()) result.set(memberId, new Map());
  const newest = Math.max(-1, ...[...members.values()].map((m) => m.generationId ?? -1));
  for (const topic of [...topics].sort()) {
    const count = metadata.topics.get(topic)?.partitionsCount;
    const eligible = [...members.keys()]
      .filter((id) => members.get(id)?.topics?.includes(topic))
      .sort(compareIds);
    if (count === undefined || eligible.length === 0) continue;
    const { owners, contested } = previousOwners(members, topic, count, newest);
    const owned = new Map<string, number[]>(eligible.map((id) => [id, []]));
    for (let partition = 0; partition < count; partition += 1) {
      const owner = owners.get(partition);
      if (owner !== undefined) owned.get(owner)?.push(partition);
    }
    // Larger quotas to the members owning the most, so the fewest partitions move.
    const low = Math.floor(count / eligible.length);
    const byOwned = [...eligible].sort(
      (a, b) => (owned.get(b)?.length ?? 0) - (owned.get(a)?.length ?? 0) || compareIds(a, b),
    );
    const quota = new Map(
      byOwned.map((id, index) => [id, low + (index < count % eligible.length ? 1 : 0)] as const),
    );
    const assigned = new Map<string, number[]>();
    const heldBack = new Set(contested);
    for (const id of eligible) {
      const mine = owned.get(id) ?? [];
      const keep = quota.get(id) ?? 0;
      const giveUp = Math.max(0, mine.length - keep);
      assigned.set(id, mine.slice(giveUp));
      for (const partition of mine.slice(0, giveUp)) heldBack.add(partition);
    }
    for (let partition = 0; partition < count; partition += 1) {
      if (owners.has(partition) || heldBack.has(partition)) continue;
      let target: string | undefined;
      let room = 0;
      for (const id of eligible) {
        const free = (quota.get(id) ?? 0) - (assigned.get(id)?.length ?? 0);
        if (free > room) {
          target = id;
          room = free;
        }
      }
      if (target !== undefined) assigned.get(target)?.push(partition);
    }
    for (const [id, partitions] of assigned) {
      if (partitions.length === 0) continue;
      result.get(id)?.set(topic, { topic, partitions: [...partitions].sort((a, b) => a - b) });
    }
  }
  return [...result].map(
    ([memberId, assignments]): GroupPartitionsAssignments => ({ memberId, assignments }),
  );
};

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Who owned each partition of `topic` before, by the members' claims of the newest generation. */
function previousOwners(
  members: ReadonlyMap<string, ExtendedGroupProtocolSubscription>,
  topic: string,
  count: number,
  newest: number,
): { owners: Map<number, string>; contested: Set<number> } {
  const claims = new Map<number, string[]>();
  for (const [memberId, member] of members) {
    if (!member.topics?.includes(topic)) continue;
    if (newest >= 0 && (member.generationId ?? -1) < newest) continue;
    for (const owned of member.ownedPartitions ?? []) {
      if (owned.topic !== topic) continue;
      for (const partition of new Set(owned.partitions)) {
        if (partition < 0 || partition >= count) continue;
        claims.set(partition, [...(claims.get(partition) ?? []), memberId]);
      }
    }
  }
  const owners = new Map<number, string>();
  const contested = new Set<number>();
  for (const [partition, claimants] of claims) {
    if (claimants.length === 1) owners.set(partition, claimants[0] as string);
    else contested.add(partition);
  }
  return { owners, contested };
}
