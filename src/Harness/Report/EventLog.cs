// EventLog: a campaign's machine-readable event log, one JSON object per line (JSONL), written as
// things happen and flushed per line, so a killed campaign leaves every event but at most the
// last, half-written line (Read skips that line and says so). Every event has "event" (start,
// stats, coverage, finding, end, case), "engine" and "elapsed_s"; the rest depends on the event:
//   start    the full configuration and seed, so the log alone says how to repeat the run
//   stats    periodic counts (executions or iterations, rates, corpus, edges, findings)
//   coverage a new corpus entry (execution index, size, what it added)
//   finding  signature, kind, step, reason, artifact path and the one repro command
//   end      final counts
// A "reach" field (in stats, end and gate case events) is an array of objects, one per declared
// ReachGoal: goal ("system/name"), system, name, description, owner, hits and runs (counts so far).
// Wall time appears only as "elapsed_s", for plots; nothing that decides what runs reads it.
// Output for people (status lines, live panels) never goes here, and nothing else is written to
// the file, so other programs can read it while the campaign runs.
using System.Buffers;
using Harness.Core;
using System.Text;
using System.Text.Json;

namespace Harness.Report;

public sealed class EventLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly WallClock _clock = WallClock.StartNew();
    private readonly string _engine;

    public string Path { get; }

    /// <summary>Sees every event after it is written (the progress sink); null for none.</summary>
    public IEventObserver? Observer { get; set; }

    /// <summary>Opens <paramref name="path"/> for appending (a resumed campaign adds to its log).</summary>
    public EventLog(string path, string engine)
    {
        Path = path;
        _engine = engine;
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        _ownsWriter = true;
    }

    /// <summary>A log written to <paramref name="writer"/> (`--events -`: stdout, which then carries
    /// nothing else); Path is "-" and the writer is flushed per line, never closed.</summary>
    public EventLog(TextWriter writer, string engine)
    {
        Path = StdoutPath;
        _engine = engine;
        _writer = writer;
    }

    /// <summary>The --events value that sends the log to stdout.</summary>
    public const string StdoutPath = "-";

    /// <summary>Writes one event: <paramref name="fields"/> are name/value pairs (strings, numbers,
    /// booleans, null, or dictionaries of them), in the given order after the common fields.</summary>
    public void Write(string eventName, params (string Name, object? Value)[] fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        double elapsed = Math.Round(_clock.Elapsed.TotalSeconds, 3);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", eventName);
            json.WriteString("engine", _engine);
            json.WriteNumber("elapsed_s", elapsed);
            foreach ((string name, object? value) in fields)
            {
                json.WritePropertyName(name);
                WriteValue(json, value);
            }
            json.WriteEndObject();
        }
        string line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_lock)
        {
            _writer.Write(line);
            _writer.Write('\n');
            _writer.Flush();
        }
        Observer?.OnEvent(_engine, eventName, elapsed, fields);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case ulong u: json.WriteNumberValue(u); break;
            case double d: json.WriteNumberValue(double.IsFinite(d) ? Math.Round(d, 3) : 0); break;
            case IEnumerable<KeyValuePair<string, string>> map:
                json.WriteStartObject();
                foreach (var kv in map.OrderBy(kv => kv.Key, StringComparer.Ordinal)) json.WriteString(kv.Key, kv.Value);
                json.WriteEndObject();
                break;
            case IEnumerable<ReachCount> reach:
                json.WriteStartArray();
                foreach (ReachCount c in reach)
                {
                    json.WriteStartObject();
                    json.WriteString("goal", c.Goal.Key);
                    json.WriteString("system", c.Goal.System);
                    json.WriteString("name", c.Goal.Name);
                    json.WriteString("description", c.Goal.Description);
                    json.WriteString("owner", c.Owner);
                    json.WriteNumber("hits", c.Hits);
                    json.WriteNumber("runs", c.Runs);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case IEnumerable<object?[]> rows:
                json.WriteStartArray();
                foreach (object?[] row in rows)
                {
                    json.WriteStartArray();
                    foreach (object? cell in row) WriteValue(json, cell);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                break;
            case IEnumerable<string> list:
                json.WriteStartArray();
                foreach (string item in list) json.WriteStringValue(item);
                json.WriteEndArray();
                break;
            default: throw new ArgumentException($"an event field cannot hold a {value.GetType().Name}", nameof(value));
        }
    }

    /// <summary>Reads a log: every complete event in order. A last line without its newline (a
    /// killed writer) is skipped and counted in <paramref name="truncated"/>; any other bad line is
    /// a MalformedInputException naming the file and line.</summary>
    public static IReadOnlyList<JsonElement> Read(string path, out int truncated)
    {
        string text = File.ReadAllText(path);
        var events = new List<JsonElement>();
        truncated = 0;
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0) continue;
            bool last = i == lines.Length - 1;   // no newline after it: possibly cut off
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("event", out _))
                    throw new JsonException("not an event object");
                events.Add(doc.RootElement.Clone());
            }
            catch (JsonException e)
            {
                if (last)
                {
                    truncated++;
                    continue;
                }
                throw new MalformedInputException($"{path}:{i + 1}: not an event ({e.Message})");
            }
        }
        return events;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_ownsWriter) _writer.Dispose();
            else _writer.Flush();
        }
    }
}
