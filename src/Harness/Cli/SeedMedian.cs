// SeedMedian: the median of a per-seed measurement (iterations, executions or seconds to the first
// failure) over N seeds where some seeds may have missed within their cap. A miss counts as above
// every hit, so a median over mostly missed seeds is a miss too, never the few lucky ones.
namespace Harness.Cli;

public static class SeedMedian
{
    /// <summary>The median of <paramref name="found"/> padded with misses up to <paramref name="runs"/>
    /// values; null when the median is a miss.</summary>
    public static T? Of<T>(IEnumerable<T> found, int runs) where T : struct, IComparable<T>
    {
        List<T> sorted = found.Order().ToList();
        if (sorted.Count > runs) throw new ArgumentException($"{sorted.Count} values for {runs} runs", nameof(found));
        int mid = (runs - 1) / 2;
        return mid < sorted.Count ? sorted[mid] : null;
    }
}
