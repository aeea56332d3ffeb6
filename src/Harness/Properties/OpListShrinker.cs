// OpListShrinker: the shrink order an op-list property uses: drop chunks of n/2, n/4, ... 1 ops
// (shorter lists first), then replace one op by each simpler form its system offers.
namespace Harness.Properties;

public static class OpListShrinker
{
    public static IEnumerable<T[]> Shrink<T>(T[] ops, Func<T, IEnumerable<T>> simpler)
    {
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(simpler);
        int n = ops.Length;
        for (int chunk = n / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= n; start += chunk)
            {
                var shorter = new T[n - chunk];
                Array.Copy(ops, 0, shorter, 0, start);
                Array.Copy(ops, start + chunk, shorter, start, n - start - chunk);
                yield return shorter;
            }
        }
        for (int i = 0; i < n; i++)
        {
            foreach (T s in simpler(ops[i]))
            {
                var copy = (T[])ops.Clone();
                copy[i] = s;
                yield return copy;
            }
        }
    }
}
