// FindingWriter: turns a fuzz failure into the harness's one repro artifact (engine "fuzz",
// payload kind "bytes", data = base64 of the input, readable = the target's disassembly), plus the
// raw input beside it, so `harness repro`, `harness minimize` and `harness show` all accept it and
// the file can be dropped into a corpus or fed to AFL++ as is.
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Fuzz.Engine;

public static class FindingWriter
{
    public const string Engine = "fuzz";
    public const string PayloadKind = "bytes";

    /// <summary>Config key recording the engine's worker count (the campaign depends on it; a replay of the input does not).</summary>
    public const string WorkersKey = "workers";

    public static ReproArtifact ToArtifact(IFuzzTarget target, ulong seed, IReadOnlyDictionary<string, string> targetConfig,
        Outcome outcome, ReadOnlySpan<byte> input)
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in targetConfig) config[kv.Key] = kv.Value;
        return new ReproArtifact(Engine, target.Name, seed, config,
            ArtifactOutcome.Of(outcome),
            new ArtifactPayload(PayloadKind, Convert.ToBase64String(input), target.Disassemble(input)));
    }

    /// <summary>Writes DIR/KIND-HASH.json and DIR/KIND-HASH.bin; returns the artifact path.</summary>
    public static string Write(string dir, ReproArtifact artifact, ReadOnlySpan<byte> input, out string rawPath)
    {
        string stem = Path.Combine(dir, $"{artifact.Outcome.Kind.Name()}-{ContentHash.Of(input)[..16]}");
        rawPath = stem + ".bin";
        CorpusFolder.WriteAtomic(rawPath, input);
        string path = stem + ".json";
        artifact.Save(path);
        return path;
    }

    /// <summary>The input bytes of a fuzz artifact, with a clear error for any other kind.</summary>
    public static byte[] InputOf(ReproArtifact artifact, string source)
    {
        if (artifact.Engine != Engine) throw new ArtifactFormatException($"{source}: engine is '{artifact.Engine}', not '{Engine}'");
        if (artifact.Payload.Kind != PayloadKind) throw new ArtifactFormatException($"{source}: payload kind is '{artifact.Payload.Kind}', not '{PayloadKind}'");
        try
        {
            return Convert.FromBase64String(artifact.Payload.Data);
        }
        catch (FormatException)
        {
            throw new ArtifactFormatException($"{source}: payload data is not valid base64");
        }
    }
}
