// The order a campaign runs its mutants in: round-robin over the systems (in catalog file order),
// each system's mutants in catalog order. Any prefix of a campaign (one stopped by a deadline or a
// Ctrl-C) therefore covers every system about equally, and the order depends on nothing but the
// catalog and the selection.
namespace Mutate;

public static class Campaign
{
    public static List<Mutant> Order(IEnumerable<Mutant> selected, int perSystem = int.MaxValue)
    {
        // GroupBy keeps the order in which systems first appear, i.e. catalog file order
        var queues = selected.GroupBy(m => m.System).Select(g => new Queue<Mutant>(g.Take(perSystem))).ToList();
        var order = new List<Mutant>();
        while (queues.Any(q => q.Count > 0))
            foreach (Queue<Mutant> q in queues)
                if (q.Count > 0) order.Add(q.Dequeue());
        return order;
    }
}
