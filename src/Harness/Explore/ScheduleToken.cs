// ScheduleToken: the compact, paste-able form of a schedule: "s1." + base64url of
//   varint  format version (1)
//   string  scenario name (varint length + UTF-8)
//   varint  backends, ops; u64 mix seed (8 bytes, little endian)
//   varint  spin mode, step-bound policy, max steps, liveness (0/1), liveness threshold
//   varint  decision count, then each decision (the backend index)
//   varint  object-table size, then each object id (varint)
//   varint  step count, then per step varint(backend | kind << 4) and varint(object-table index)
//   u64     trace hash (8 bytes)
// The decision list is authoritative; the per-step validation stream lets replay name the first
// divergent step; the hash is the determinism self-check.
using System.Text;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Explore;

public sealed record ScheduleToken(string Scenario, ScenarioConfig Config, ExploreOptions Options, int[] Decisions, ScheduleTrace Trace)
{
    public const string Prefix = "s1.";
    private const int Version = 1;

    public string Encode()
    {
        var w = new List<byte>();
        Var(w, Version);
        byte[] name = Encoding.UTF8.GetBytes(Scenario);
        Var(w, (ulong)name.Length);
        w.AddRange(name);
        Var(w, (ulong)Config.Backends);
        Var(w, (ulong)Config.Ops);
        w.AddRange(BitConverter.GetBytes(Config.MixSeed));
        Var(w, (ulong)Options.SpinMode);
        Var(w, (ulong)Options.StepBoundPolicy);
        Var(w, (ulong)Options.MaxSteps);
        Var(w, Options.Liveness ? 1UL : 0UL);
        Var(w, (ulong)Options.LivenessThreshold);
        Var(w, (ulong)Decisions.Length);
        foreach (int d in Decisions) Var(w, (ulong)d);
        var objects = new List<ulong>();
        var index = new Dictionary<ulong, int>();
        for (int i = 0; i < Trace.Steps; i++)
        {
            ulong o = Trace.StepObj(i);
            if (!index.ContainsKey(o)) { index[o] = objects.Count; objects.Add(o); }
        }
        Var(w, (ulong)objects.Count);
        foreach (ulong o in objects) Var(w, o);
        Var(w, (ulong)Trace.Steps);
        for (int i = 0; i < Trace.Steps; i++)
        {
            Var(w, (ulong)(uint)Trace.StepBackend(i) | ((ulong)Trace.StepKind(i) << 4));
            Var(w, (ulong)index[Trace.StepObj(i)]);
        }
        w.AddRange(BitConverter.GetBytes(Trace.Hash));
        return Prefix + Convert.ToBase64String(w.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static ScheduleToken Decode(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal)) throw new MalformedInputException($"not a schedule token (expected it to start with '{Prefix}')");
        string b64 = token[Prefix.Length..].Replace('-', '+').Replace('_', '/');
        b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
        byte[] data;
        try { data = Convert.FromBase64String(b64); }
        catch (FormatException) { throw new MalformedInputException("schedule token is not valid base64url"); }
        int p = 0;
        try
        {
            if (Read(data, ref p) != Version) throw new MalformedInputException("schedule token version is not 1");
            int nameLen = (int)Read(data, ref p);
            string scenario = Encoding.UTF8.GetString(data, p, nameLen);
            p += nameLen;
            int backends = (int)Read(data, ref p), ops = (int)Read(data, ref p);
            ulong mix = BitConverter.ToUInt64(data, p);
            p += 8;
            var options = new ExploreOptions
            {
                SpinMode = (SpinMode)Read(data, ref p),
                StepBoundPolicy = (StepBoundPolicy)Read(data, ref p),
                MaxSteps = (int)Read(data, ref p),
                Liveness = Read(data, ref p) != 0,
                LivenessThreshold = (int)Read(data, ref p),
            };
            var decisions = new int[(int)Read(data, ref p)];
            for (int i = 0; i < decisions.Length; i++) decisions[i] = (int)Read(data, ref p);
            var objects = new ulong[(int)Read(data, ref p)];
            for (int i = 0; i < objects.Length; i++) objects[i] = Read(data, ref p);
            int steps = (int)Read(data, ref p);
            var trace = new ScheduleTrace();
            for (int i = 0; i < steps; i++)
            {
                ulong bk = Read(data, ref p);
                int obj = (int)Read(data, ref p);
                trace.RecordStep((int)(bk & 15), (SyncOpKind)(bk >> 4), objects[obj]);
            }
            ulong hash = BitConverter.ToUInt64(data, p);
            if (hash != trace.Hash) throw new MalformedInputException("schedule token is corrupt (its validation stream does not match its hash)");
            return new ScheduleToken(scenario, new ScenarioConfig(backends, ops, mix), options, decisions, trace);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new MalformedInputException("schedule token is truncated or corrupt");
        }
    }

    private static void Var(List<byte> w, ulong v)
    {
        while (v >= 0x80)
        {
            w.Add((byte)(v | 0x80));
            v >>= 7;
        }
        w.Add((byte)v);
    }

    private static ulong Read(byte[] d, ref int p)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (p >= d.Length || shift > 63) throw new MalformedInputException("schedule token is truncated or corrupt");
            byte b = d[p++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
    }
}
