// GateShard: which part of the gate one machine runs (`harness gate --shard i/n`). Every case has
// one owner, decided by a stable hash of its suite and case name (StableName: the same in every
// process and on every machine), so n machines with shards 1/n..n/n together run exactly the cases
// one machine runs with the same seed and scale, each once, with the same per-case seeds (suites
// derive seeds from the gate seed and the case's position, never from the shard).
// `harness merge` joins the shards' JUnit reports and checks that claim.
//
// Invariants (Check):
//   SH1  1 <= Index <= Count.
//   SH2  every case name is owned by exactly one of the Count shards (Owns is a partition).
using System.Globalization;
using Harness.Cli;
using Harness.Core;

namespace Harness.Gate;

public sealed record GateShard(int Index, int Count)
{
    /// <summary>The whole gate: one shard of one.</summary>
    public static GateShard All { get; } = new(1, 1);

    /// <summary>Parses "i/n" (1-based, as Playwright's and pytest-shard's --shard read).</summary>
    public static GateShard Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || n < 1 || n > 1000 || i < 1 || i > n)
            throw new UsageException($"--shard wants i/n with 1 <= i <= n <= 1000 (for example 2/4), not '{text}'");
        return new GateShard(i, n);
    }

    /// <summary>The shard that runs case <paramref name="caseName"/> of suite <paramref name="suite"/>.</summary>
    public static int OwnerOf(string suite, string caseName, int count) =>
        1 + (int)(StableName.Hash(suite + "/" + caseName) % (ulong)count);

    /// <summary>True if this shard runs the unit at 0-based position <paramref name="position"/> of a
    /// fixed sequence (round robin: position mod Count = Index - 1), for engines whose units are numbered.</summary>
    public bool OwnsPosition(ulong position) => Count == 1 || position % (ulong)Count == (ulong)(Index - 1);

    /// <summary>True if this shard runs the case.</summary>
    public bool Owns(string suite, string caseName) => Count == 1 || OwnerOf(suite, caseName, Count) == Index;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    public void Check()
    {
        if (Count < 1 || Index < 1 || Index > Count) throw new InvalidOperationException($"SH1: shard {Index}/{Count} out of range");
    }
}
