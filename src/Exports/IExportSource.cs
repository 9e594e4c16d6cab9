namespace CommerceManager.Exports;

/// <summary>One row of an export: its columns' values in order, and (JSON Lines only) named lists of objects such as a customer's addresses.</summary>
public readonly record struct ExportRow(object?[] Values, IReadOnlyList<(string Name, IReadOnlyList<IReadOnlyList<(string Key, object? Value)>> Items)>? Nested = null);

/// <summary>
/// What one kind of export reads: the feature that owns the data supplies it (customers, orders), so the export
/// machinery (queue, runner, files, links, console panel) knows no feature and every feature can use it.
/// </summary>
public interface IExportSource
{
    ExportKind Kind { get; }

    /// <summary>Refuses a request the list itself would refuse (a <see cref="Querying.FilterException"/> with the list's message), without running it.</summary>
    Task ValidateAsync(ExportRequest request, CancellationToken ct);

    /// <summary>How many rows the job will write (the progress bar's end).</summary>
    Task<int> CountAsync(ExportJob job, CancellationToken ct);

    Task<IReadOnlyList<string>> ColumnsAsync(ExportFormat format, CancellationToken ct);

    /// <summary>The rows, streamed from the database in the list's order.</summary>
    IAsyncEnumerable<ExportRow> RowsAsync(ExportJob job, CancellationToken ct);
}

public static class ExportChunks
{
    /// <summary>
    /// <paramref name="source"/> in lists of <paramref name="size"/> (the last one shorter): an export source reads what
    /// a chunk of rows needs (tags, members, addresses) in one query per chunk, not one per row.
    /// </summary>
    public static async IAsyncEnumerable<List<T>> InChunks<T>(this IAsyncEnumerable<T> source, int size,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var chunk = new List<T>(size);
        await foreach (var item in source.WithCancellation(ct))
        {
            chunk.Add(item);
            if (chunk.Count == size)
            {
                yield return chunk;
                chunk = new List<T>(size);
            }
        }
        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
