// CorpusWriter: saves a run's new corpus entries (OUT/corpus, CorpusFolder.Save) on a background
// thread, so the main thread's apply phase, the serial part of every batch, does not wait for the
// disk (on the busy VM a save per kept entry was most of apply: docs/engine-throughput.md).
//
// Files are named by content hash and written atomically, so the order in which they appear does
// not matter, and the name (what the coverage event reports) is known before the write. Nothing of
// the engine reads the folder back during the run, so deferring the writes cannot change what runs.
//
// Invariants:
//   1. after Complete returns, every entry handed to Save is on disk (or Complete threw the first
//      write error, naming the file);
//   2. entries are written in the order they were handed over, by one thread;
//   3. Save never blocks on the disk (the queue is unbounded: the corpus is in memory anyway).
using System.Collections.Concurrent;

namespace Harness.Fuzz.Engine;

internal sealed class CorpusWriter : IDisposable
{
    private readonly string _dir;
    private readonly BlockingCollection<byte[]> _queue = new();
    private readonly Thread _thread;
    private Exception? _error;
    private bool _completed;

    public CorpusWriter(string dir)
    {
        _dir = dir;
        _thread = new Thread(Loop) { IsBackground = true, Name = "corpus writer" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="input"/> for writing; returns the path it will have.</summary>
    public string Save(byte[] input)
    {
        if (_error is { } e) throw new IOException($"saving a corpus entry in {_dir} failed: {e.Message}", e);
        _queue.Add(input);
        return Path.Combine(_dir, ContentHash.Of(input));
    }

    /// <summary>Waits until every queued entry is written; rethrows the first write error.</summary>
    public void Complete()
    {
        if (!_completed)
        {
            _completed = true;
            _queue.CompleteAdding();
            _thread.Join();
        }
        if (_error is { } e) throw new IOException($"saving a corpus entry in {_dir} failed: {e.Message}", e);
    }

    private void Loop()
    {
        foreach (byte[] input in _queue.GetConsumingEnumerable())
        {
            if (_error is not null) continue; // drain; the error is reported once
            try
            {
                CorpusFolder.Save(_dir, input);
            }
            catch (Exception e)
            {
                _error = e;
            }
        }
    }

    /// <summary>Stops the thread without reporting errors (Complete reports them).</summary>
    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            _queue.CompleteAdding();
            _thread.Join();
        }
        _queue.Dispose();
    }
}
