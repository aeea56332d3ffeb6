// ReproArtifact: the one repro format every engine writes (property tests, the explorer, the fuzzer).
//
// A JSON document, self-describing and versioned:
//   format   always "pgmem-repro"          version  FormatVersion (2; version 1 is still read)
//   engine   "property" | "explore" | "fuzz"   (which IArtifactReplayer replays it)
//   target   the system, qualified scenario or fuzz target ("mmgr", "locks/lwlock-shared-exclusive")
//   seed     the seed of the run that found it (decimal string, so no 64-bit value is rounded)
//   config   engine options that change what runs (sorted keys, string values)
//   outcome  what went wrong: kind (an OutcomeKind name), step, site, reason
//   payload  what to replay: kind ("bytes" | "ops" | "schedule"), data (base64 for bytes, a token
//            for schedules, one operation per line for ops), plus optional readable lines
// Version 1 wrote "class" instead of "kind" and "site", in two vocabularies (the fuzzer's enum
// names, the explorer's lower-case kinds) with the site in config["site"] (fuzz), a "[site]"
// prefix of the reason (property) or a "kind:site:" prefix (explore); Parse maps them onto the
// one vocabulary, so every artifact written by version 1 still replays.
// Writing is atomic (temporary file, then rename) so a killed run never leaves half an artifact,
// and reading reports exactly what is wrong with a malformed file (ArtifactFormatException).
using System.Text.Json.Nodes;
using System.Text.Json;
using Harness.Core;

namespace Harness.Artifacts;

public sealed record ArtifactOutcome(OutcomeKind Kind, long Step, string Site, string Reason)
{
    public static ArtifactOutcome Of(Outcome o) => new(o.Kind, o.Step, o.Site, o.Reason);

    public string Signature => $"{Kind.Name()}:{Site}";
}

/// <summary>An artifact file that cannot be read: not JSON, not ours, a missing field, an
/// unsupported version. The message names the file and the field.</summary>
public sealed class ArtifactFormatException : HarnessInputException
{
    public ArtifactFormatException(string message) : base(message) { }
}

public sealed record ArtifactPayload(string Kind, string Data, IReadOnlyList<string> Readable);

public sealed record ReproArtifact(
    string Engine,
    string Target,
    ulong Seed,
    IReadOnlyDictionary<string, string> Config,
    ArtifactOutcome Outcome,
    ArtifactPayload Payload)
{
    public const string FormatName = "pgmem-repro";
    public const int FormatVersion = 2;

    /// <summary>Every version this harness reads.</summary>
    public static readonly int[] ReadableVersions = [1, 2];

    public string ToJson()
    {
        var config = new JsonObject();
        foreach (var kv in Config.OrderBy(k => k.Key, StringComparer.Ordinal)) config[kv.Key] = kv.Value;
        var readable = new JsonArray();
        foreach (string line in Payload.Readable) readable.Add(line);
        var root = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["engine"] = Engine,
            ["target"] = Target,
            ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["config"] = config,
            ["outcome"] = new JsonObject
            {
                ["kind"] = Outcome.Kind.Name(),
                ["step"] = Outcome.Step,
                ["site"] = Outcome.Site,
                ["reason"] = Outcome.Reason,
            },
            ["payload"] = new JsonObject
            {
                ["kind"] = Payload.Kind,
                ["data"] = Payload.Data,
                ["readable"] = readable,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Parses an artifact; any defect is an ArtifactFormatException naming the field.</summary>
    public static ReproArtifact Parse(string json, string source = "artifact")
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArtifactFormatException($"{source}: not a repro artifact (invalid JSON: {e.Message})");
        }
        if (root is not JsonObject o) throw new ArtifactFormatException($"{source}: not a repro artifact (top level is not an object)");
        string format = Str(o, "format", source);
        if (format != FormatName) throw new ArtifactFormatException($"{source}: not a repro artifact (format is '{format}', expected '{FormatName}')");
        int version = o["version"] is JsonValue v && v.TryGetValue(out int vi) ? vi : throw new ArtifactFormatException($"{source}: missing or non-integer 'version'");
        if (Array.IndexOf(ReadableVersions, version) < 0)
            throw new ArtifactFormatException($"{source}: artifact format version {version} is not supported (this harness reads versions {string.Join(" and ", ReadableVersions)})");
        string seedText = Str(o, "seed", source);
        if (!Numbers.TryParseULong(seedText, out ulong seed)) throw new ArtifactFormatException($"{source}: 'seed' is not a 64-bit unsigned number: '{seedText}'");
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (o["config"] is JsonObject c)
        {
            foreach (var kv in c) config[kv.Key] = kv.Value is JsonValue cv && cv.TryGetValue(out string? s) ? s : kv.Value?.ToJsonString() ?? "";
        }
        else if (o["config"] is not null) throw new ArtifactFormatException($"{source}: 'config' is not an object");
        if (o["outcome"] is not JsonObject oc) throw new ArtifactFormatException($"{source}: missing 'outcome'");
        long step = oc["step"] is JsonValue sv && sv.TryGetValue(out long sl) ? sl : -1;
        string reason = oc["reason"] is JsonValue rv && rv.TryGetValue(out string? r) ? r : "";
        ArtifactOutcome outcome = version == 1 ? Version1Outcome(oc, config, step, reason, source) : Version2Outcome(oc, step, reason, source);
        if (o["payload"] is not JsonObject p) throw new ArtifactFormatException($"{source}: missing 'payload'");
        var readable = new List<string>();
        if (p["readable"] is JsonArray arr)
            foreach (JsonNode? n in arr) readable.Add(n is JsonValue nv && nv.TryGetValue(out string? line) ? line : "");
        var payload = new ArtifactPayload(Str(p, "kind", source), Str(p, "data", source), readable);
        return new ReproArtifact(Str(o, "engine", source), Str(o, "target", source), seed, config, outcome, payload);
    }

    private static ArtifactOutcome Version2Outcome(JsonObject oc, long step, string reason, string source)
    {
        string kindName = Str(oc, "kind", source);
        if (!OutcomeKinds.TryParse(kindName, out OutcomeKind kind))
            throw new ArtifactFormatException($"{source}: unknown outcome kind '{kindName}' (known: {string.Join(", ", OutcomeKinds.Names)})");
        return new ArtifactOutcome(kind, step, oc["site"] is JsonValue v && v.TryGetValue(out string? site) ? site : "", reason);
    }

    // Version 1: "class" in either vocabulary; the site lived in config["site"] (fuzz), in a
    // "[site] " prefix of the reason (property) or in a "kind:site: " prefix (explore).
    private static ArtifactOutcome Version1Outcome(JsonObject oc, IReadOnlyDictionary<string, string> config, long step, string reason, string source)
    {
        string cls = Str(oc, "class", source);
        string site = "";
        if (config.TryGetValue("site", out string? s)) site = s;
        else if (reason.StartsWith('[') && reason.IndexOf("] ", StringComparison.Ordinal) is int close and > 0) site = reason[1..close];
        else if (reason.StartsWith(cls + ":", StringComparison.Ordinal) && reason.IndexOf(": ", cls.Length + 1, StringComparison.Ordinal) is int colon and > 0)
            site = reason[(cls.Length + 1)..colon];
        if (!OutcomeKinds.TryFromVersion1(cls, site, out OutcomeKind kind))
            throw new ArtifactFormatException($"{source}: unknown version-1 outcome class '{cls}'");
        return new ArtifactOutcome(kind, step, site, reason);
    }

    private static string Str(JsonObject o, string field, string source) =>
        o[field] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new ArtifactFormatException($"{source}: missing or non-string '{field}'");

    /// <summary>Reads and parses a file, with clear errors for a missing or malformed one.</summary>
    public static ReproArtifact Load(string path)
    {
        if (!File.Exists(path)) throw new ArtifactFormatException($"{path}: no such file");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ArtifactFormatException($"{path}: cannot read ({e.Message})");
        }
        return Parse(text, path);
    }

    /// <summary>Writes atomically: a temporary file in the same folder, then a rename.</summary>
    public void Save(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, ToJson());
        File.Move(tmp, path, overwrite: true);
    }
}
