// MazeTarget: a test-only toy fuzz target with a swappable coverage hook. It fails (invariant-failed,
// site "maze/deep") only for inputs whose first 6 bytes match the key "MAZE!\x01" in their low
// nibbles, and it records one feature per matched position, so a coverage-guided engine climbs the
// key position by position (about 16 tries each) while a blind one needs about 16^6. A second bug ("maze/zero", a fault) fires on inputs of exactly
// 3 zero bytes after a 'Z', to exercise de-duplication of distinct signatures.
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Tests.Fuzz.Engine;

internal sealed class MazeTarget : IFuzzTarget, ITargetFeatures
{
    public static readonly byte[] Key = "MAZE!\u0001"u8.ToArray();

    private readonly FeatureMap _features = new(12);

    public string Name => "maze";

    public ICoverageSource Features => _features;

    public long Executions { get; private set; }

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        Executions++;
        _features.Reset();
        int matched = 0;
        while (matched < Key.Length && matched < input.Length && (input[matched] & 15) == (Key[matched] & 15))
        {
            _features.Hit(100 + matched);
            matched++;
        }
        _features.HitAlone(1000 + Math.Min(input.Length, 16));
        if (matched == Key.Length) return new Outcome(OutcomeKind.InvariantFailed, matched - 1, "maze/deep", "reached the end of the maze");
        if (matched < Key.Length && input.Length == 4 && input[0] == (byte)'Z' && input[1] == 0 && input[2] == 0 && input[3] == 0)
            return new Outcome(OutcomeKind.Fault, 0, "maze/zero", "Z000");
        return Outcome.Ok;
    }

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input) => [Convert.ToHexString(input)];
}
