// ReproArtifact: the one repro format every engine writes (property tests, the explorer, the fuzzer).
//
// A JSON document, self-describing and versioned:
//   format   always "pgmem-repro"          version  FormatVersion
//   engine   "property" | "explore" | "fuzz"   (which IArtifactReplayer replays it)
//   target   the suite, scenario or fuzz target name ("allocator", "lwlock-shared-exclusive", ...)
//   seed     the seed of the run that found it (decimal string, so no 64-bit value is rounded)
//   config   engine options that change what runs (sorted keys, string values)
//   outcome  what went wrong: class, step (the failing operation or schedule step), reason
//   payload  what to replay: kind ("bytes" | "ops" | "schedule"), data (base64 for bytes, a token
//            for schedules, one operation per line for ops), plus optional readable lines
// Writing is atomic (temporary file, then rename) so a killed run never leaves half an artifact,
// and reading reports exactly what is wrong with a malformed file.
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Cli;

namespace Harness.Artifacts;

public sealed record ArtifactOutcome(string Class, long Step, string Reason);

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
    public const int FormatVersion = 1;

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
                ["class"] = Outcome.Class,
                ["step"] = Outcome.Step,
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

    /// <summary>Parses an artifact; any defect is an InputException naming the field.</summary>
    public static ReproArtifact Parse(string json, string source = "artifact")
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InputException($"{source}: not a repro artifact (invalid JSON: {e.Message})");
        }
        if (root is not JsonObject o) throw new InputException($"{source}: not a repro artifact (top level is not an object)");
        string format = Str(o, "format", source);
        if (format != FormatName) throw new InputException($"{source}: not a repro artifact (format is '{format}', expected '{FormatName}')");
        int version = o["version"] is JsonValue v && v.TryGetValue(out int vi) ? vi : throw new InputException($"{source}: missing or non-integer 'version'");
        if (version != FormatVersion) throw new InputException($"{source}: artifact format version {version} is not supported (this harness reads version {FormatVersion})");
        string seedText = Str(o, "seed", source);
        if (!CommandArgs.TryParseULong(seedText, out ulong seed)) throw new InputException($"{source}: 'seed' is not a 64-bit unsigned number: '{seedText}'");
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (o["config"] is JsonObject c)
        {
            foreach (var kv in c) config[kv.Key] = kv.Value is JsonValue cv && cv.TryGetValue(out string? s) ? s : kv.Value?.ToJsonString() ?? "";
        }
        else if (o["config"] is not null) throw new InputException($"{source}: 'config' is not an object");
        if (o["outcome"] is not JsonObject oc) throw new InputException($"{source}: missing 'outcome'");
        long step = oc["step"] is JsonValue sv && sv.TryGetValue(out long sl) ? sl : -1;
        var outcome = new ArtifactOutcome(Str(oc, "class", source), step, oc["reason"] is JsonValue rv && rv.TryGetValue(out string? r) ? r : "");
        if (o["payload"] is not JsonObject p) throw new InputException($"{source}: missing 'payload'");
        var readable = new List<string>();
        if (p["readable"] is JsonArray arr)
            foreach (JsonNode? n in arr) readable.Add(n is JsonValue nv && nv.TryGetValue(out string? line) ? line : "");
        var payload = new ArtifactPayload(Str(p, "kind", source), Str(p, "data", source), readable);
        return new ReproArtifact(Str(o, "engine", source), Str(o, "target", source), seed, config, outcome, payload);
    }

    private static string Str(JsonObject o, string field, string source) =>
        o[field] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new InputException($"{source}: missing or non-string '{field}'");

    /// <summary>Reads and parses a file, with clear errors for a missing or malformed one.</summary>
    public static ReproArtifact Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new InputException($"{path}: cannot read ({e.Message})");
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
