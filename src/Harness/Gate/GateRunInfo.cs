// GateRunInfo: what identifies one `harness gate` run in its JUnit report: the seed, the scale and
// the suite filter (which together decide every case and its seed) and the shard it ran.
namespace Harness.Gate;

public sealed record GateRunInfo(ulong Seed, int Scale, GateShard Shard, string? SuiteFilter);
