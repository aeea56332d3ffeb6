// RecordMutations: the operation-level mutations of a target whose inputs are a fixed-size header
// followed by fixed-size records, one operation each (the buffers and dsa codecs): insert a random
// record, duplicate one (the same operation again), delete one, swap two, or splice a run of up to
// eight records from a second corpus input. A trailing partial record is dropped first, so every
// mutation keeps records aligned; the result is cut to maxLength. The PRNG calls are in a fixed
// order, so a seed gives the same mutation stream on every run.
using Allocator.Common;

namespace Harness.Fuzz.Engine;

public static class RecordMutations
{
    public static byte[] Mutate(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength, int headerSize, int recordSize)
    {
        var bytes = new List<byte>(input.ToArray());
        while (bytes.Count < headerSize) bytes.Add(0);
        int records = (bytes.Count - headerSize) / recordSize;
        bytes.RemoveRange(headerSize + records * recordSize, bytes.Count - headerSize - records * recordSize);
        int Pos(int i) => headerSize + i * recordSize;
        switch (rng.Index(5))
        {
            case 0: // insert a random record
            {
                int at = rng.Index(records + 1);
                var rec = new byte[recordSize];
                for (int k = 0; k < rec.Length; k++) rec[k] = (byte)rng.Index(256);
                bytes.InsertRange(Pos(at), rec);
                break;
            }
            case 1: // duplicate a record: the same operation again
                if (records > 0)
                {
                    int i = rng.Index(records);
                    bytes.InsertRange(Pos(rng.Index(records + 1)), bytes.GetRange(Pos(i), recordSize));
                }
                break;
            case 2: // delete a record
                if (records > 0) bytes.RemoveRange(Pos(rng.Index(records)), recordSize);
                break;
            case 3: // swap two records
                if (records > 1)
                {
                    int i = rng.Index(records), j = rng.Index(records);
                    for (int k = 0; k < recordSize; k++) (bytes[Pos(i) + k], bytes[Pos(j) + k]) = (bytes[Pos(j) + k], bytes[Pos(i) + k]);
                }
                break;
            default: // splice a run of records from the other input
            {
                int otherRecords = Math.Max(0, (other.Length - headerSize) / recordSize);
                if (otherRecords > 0)
                {
                    int from = rng.Index(otherRecords), count = 1 + rng.Index(Math.Min(8, otherRecords - from));
                    bytes.InsertRange(Pos(rng.Index(records + 1)), other.Slice(Pos(from), count * recordSize).ToArray());
                }
                break;
            }
        }
        if (bytes.Count > maxLength) bytes.RemoveRange(maxLength, bytes.Count - maxLength);
        return bytes.ToArray();
    }

    /// <summary>The input without records [start, start + count) (IStructureAware.WithoutUnits);
    /// a trailing partial record is dropped.</summary>
    public static byte[] WithoutRecords(ReadOnlySpan<byte> input, int start, int count, int headerSize, int recordSize)
    {
        int records = Math.Max(0, (input.Length - headerSize) / recordSize);
        var bytes = new List<byte>(input[..Math.Min(input.Length, headerSize + records * recordSize)].ToArray());
        if (start >= records) return bytes.ToArray();
        count = Math.Min(count, records - start);
        bytes.RemoveRange(headerSize + start * recordSize, count * recordSize);
        return bytes.ToArray();
    }

    /// <summary>Copies of the input with each change applied to record <paramref name="index"/>
    /// (given the record's offset), keeping only those that differ (IStructureAware.SimplifyUnit).</summary>
    public static IEnumerable<byte[]> RecordVariants(ReadOnlySpan<byte> input, int index, int headerSize, int recordSize, params Action<byte[], int>[] changes)
    {
        int at = headerSize + index * recordSize;
        if (at + recordSize > input.Length) return [];
        var result = new List<byte[]>();
        byte[] orig = input.ToArray();
        foreach (Action<byte[], int> change in changes)
        {
            byte[] c = (byte[])orig.Clone();
            change(c, at);
            if (!c.AsSpan().SequenceEqual(orig)) result.Add(c);
        }
        return result;
    }
}
