// InstrumentedAssemblyAttribute: the marker the instrumenter puts on every assembly it rewrites.
// The launcher reads it (without running any of the assembly's code) to decide whether a relaunch
// is needed, and the instrumenter refuses to instrument an assembly that already carries it.
namespace Harness.Coverage;

[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class InstrumentedAssemblyAttribute : Attribute
{
    public InstrumentedAssemblyAttribute(string instrumenterVersion, string originalSha256, int probeCount)
    {
        InstrumenterVersion = instrumenterVersion;
        OriginalSha256 = originalSha256;
        ProbeCount = probeCount;
    }

    /// <summary>Version of the instrumenter that wrote the assembly (part of the cache key).</summary>
    public string InstrumenterVersion { get; }

    /// <summary>SHA-256 (hex) of the uninstrumented input.</summary>
    public string OriginalSha256 { get; }

    /// <summary>Number of probes inserted.</summary>
    public int ProbeCount { get; }
}
