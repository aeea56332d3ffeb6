// ProbeSite: one inserted probe, as recorded in the coverage manifest.
namespace Harness.Fuzz.Instrumentation;

/// <param name="Id">The location id passed to CoverageMap.Hit.</param>
/// <param name="Method">Full name of the method (Cecil's FullName).</param>
/// <param name="IlOffset">Offset of the block leader in the original, uninstrumented IL.</param>
/// <param name="Kind">Why this instruction leads a block (entry, branch-target, fall-through, handler, ...).</param>
/// <param name="Source">"file:line" of the nearest sequence point at or before the leader, or "".</param>
public sealed record ProbeSite(int Id, string Method, int IlOffset, string Kind, string Source);
