using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Data;

/// <summary>
/// Row counts kept by database triggers (see the RowCounts migration), one per counted table and named after it
/// (<c>Customer.Table</c>, <c>Order.Table</c>, <c>Address.Table</c>), so an unfiltered list's total is one
/// primary-key read instead of a scan of millions of index entries. On PostgreSQL the same triggers also raise
/// <see cref="Version"/> in every transaction that inserts, changes or deletes a row of the table (the CountVersions
/// migration): a count taken at one version still holds at that version (see <see cref="VersionedCounts"/>).
/// </summary>
public sealed class RowCount
{
    public string Name { get; set; } = "";
    public long Count { get; set; }

    /// <summary>Raised by every change to the table's rows (PostgreSQL; SQLite versions its searches in the substring index).</summary>
    public long Version { get; set; }
}

internal sealed class RowCountConfiguration : IEntityTypeConfiguration<RowCount>
{
    public void Configure(EntityTypeBuilder<RowCount> b)
    {
        b.ToTable("RowCounts");
        b.HasKey(r => r.Name);
        b.Property(r => r.Name).HasMaxLength(64);
    }
}

public static class RowCounts
{
    // Every unfiltered list reads its total here: compiled, so no LINQ translation or query-cache lookup per request.
    private static readonly PerModel<Func<AppDbContext, string, CancellationToken, Task<long>>> ByName = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string name, CancellationToken ct) => db.RowCounts.Where(r => r.Name == name).Select(r => r.Count).FirstOrDefault()));

    private static readonly PerModel<Func<AppDbContext, string, CancellationToken, Task<long>>> VersionByName = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string name, CancellationToken ct) => db.RowCounts.Where(r => r.Name == name).Select(r => r.Version).FirstOrDefault()));

    public static async Task<int> ReadAsync(AppDbContext db, string name, CancellationToken ct) => (int)await ByName.For(db)(db, name, ct);

    /// <summary>The table's version (PostgreSQL's triggers raise it with every change; 0 elsewhere).</summary>
    public static Task<long> VersionAsync(AppDbContext db, string name, CancellationToken ct) => VersionByName.For(db)(db, name, ct);
}
