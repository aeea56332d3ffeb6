// LibFuzzerCrashFiles: turns the inputs libFuzzer saved (crash-, leak-, timeout-, oom- followed by
// the input's sha1, under -artifact_prefix) into the harness's own repro artifacts. libFuzzer only
// knows "the driver trapped"; the outcome kind lives in the worker's stderr. So each new file is
// replayed here, in-process, on a target built with the campaign's config, and when it fails it is
// written as FILE.json (engine "fuzz", the input and its disassembly), which `harness repro`,
// `harness minimize` and `harness show` accept and which names the failing invariant.
// Only crash- inputs are replayed: a timeout- or slow-unit- input may hang this process too, and
// oom- is the driver's memory. A crash- input that does not fail in-process (a worker that died of
// something the replay does not hit) is reported as such and left without an artifact.
using Harness.Artifacts;
using Harness.Core;
using Harness.Fuzz.Engine;

namespace Harness.Fuzz.LibFuzzer;

public sealed record LibFuzzerCrash(string InputPath, Outcome Outcome, string? ArtifactPath);

public static class LibFuzzerCrashFiles
{
    /// <summary>libFuzzer's name prefixes for saved inputs.</summary>
    public static readonly IReadOnlyList<string> Prefixes = ["crash-", "leak-", "timeout-", "oom-", "slow-unit-"];

    /// <summary>The saved inputs in DIR that have no artifact beside them yet, in name order. A name
    /// may carry a user's -artifact_prefix file part before libFuzzer's own prefix.</summary>
    public static IReadOnlyList<string> Unconverted(string dir) =>
        !Directory.Exists(dir) ? [] :
        Directory.EnumerateFiles(dir)
            .Where(f => Prefixes.Any(p => Path.GetFileName(f).Contains(p, StringComparison.Ordinal)))
            .Where(f => !f.EndsWith(".json", StringComparison.Ordinal) && !File.Exists(f + ".json"))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>True for the saved inputs Convert replays (crash-); the others are only reported.</summary>
    public static bool Replayable(string path) => Path.GetFileName(path).Contains("crash-", StringComparison.Ordinal);

    /// <summary>Replays one saved crash- input and writes FILE.json when it fails.</summary>
    public static LibFuzzerCrash Convert(string path, FuzzTargetDef def, FuzzTargetConfig config)
    {
        byte[] input = File.ReadAllBytes(path);
        IFuzzTarget target = def.Create(config);
        Outcome o = Afl.AflRunner.RunOnce(target, input);   // an escaped exception is a crash outcome, as in the worker
        if (!o.IsFailure) return new LibFuzzerCrash(path, o, null);
        ReproArtifact artifact = FindingWriter.ToArtifact(target, 0, config.ToDictionary(), o, input);
        string json = path + ".json";
        artifact.Save(json);
        return new LibFuzzerCrash(path, o, json);
    }
}
