using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.DataTransfer;

/// <summary>What to do with a row whose email is already a customer's.</summary>
public enum ExistingEmail { Skip, Update, Stop }

/// <summary>Where an import reads from: an uploaded file, or a live Elastic Path store through its API.</summary>
public enum ImportSource { File, ElasticPath }

/// <summary>
/// A customer import from an uploaded CSV: the file (kept beside the exports), how its columns map, and how far it
/// has come. <see cref="RowsDone"/> moves in the same transaction as each batch's rows, so after a crash the import
/// goes on from the last whole batch and no row is imported twice. A dry run checks every row and writes nothing.
/// </summary>
public sealed class ImportJob : IQueuedJob
{
    public Guid Id { get; set; }
    public ImportSource Source { get; set; }
    /// <summary>An Elastic Path import: the store's API base URL and client id.</summary>
    public string? SourceUrl { get; set; }
    public string? SourceClientId { get; set; }
    /// <summary>The client secret, encrypted with Data Protection, and removed when the import ends.</summary>
    public string? SourceSecret { get; set; }
    /// <summary>An Elastic Path import: where the next page starts (the last id read, or an offset), moved with each page's rows.</summary>
    public string? SourceCursor { get; set; }
    /// <summary>An Elastic Path import: addresses created, and customers created who had a password there (which cannot be exported).</summary>
    public int AddressesCreated { get; set; }
    public int WithPassword { get; set; }
    /// <summary>The uploaded file (<c>{FileId}.csv</c> in the imports folder); a dry run and the real run share it.</summary>
    public Guid FileId { get; set; }
    public string FileName { get; set; } = "";
    /// <summary>The file's header row, as a JSON array: the failed-rows file repeats it.</summary>
    public string Headers { get; set; } = "[]";
    /// <summary>Column header → target (see <see cref="ImportTargets"/>), as JSON.</summary>
    public string Mapping { get; set; } = "{}";
    public ExistingEmail OnExisting { get; set; }
    public bool DryRun { get; set; }
    public JobStatus Status { get; set; }
    public string OwnerId { get; set; } = "";
    public string OwnerName { get; set; } = "";
    public int RowsTotal { get; set; }
    public int RowsDone { get; set; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Skipped { get; set; }
    public int FailedRows { get; set; }
    public string? Error { get; set; }
    public bool CancelRequested { get; set; }
    public string? RunnerId { get; set; }
    public DateTime? HeartbeatAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public DateTime ExpiresAt { get; set; }

    public bool IsRunning => Status is JobStatus.Pending or JobStatus.Started;
}

/// <summary>One refused row of an import: where, why, and the row as it was (for the "failed rows" file to fix and upload again).</summary>
public sealed class ImportRowError
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    /// <summary>The data row's number, 1 for the first row after the header.</summary>
    public int Row { get; set; }
    public string? Column { get; set; }
    public string Message { get; set; } = "";
    /// <summary>The row's cells as a JSON array of strings.</summary>
    public string Values { get; set; } = "[]";
}

internal sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>, IEntityTypeConfiguration<ImportRowError>
{
    public void Configure(EntityTypeBuilder<ImportJob> b)
    {
        b.ToTable("ImportJobs");
        b.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(j => j.OnExisting).HasConversion<string>().HasMaxLength(16);
        b.Property(j => j.Source).HasConversion<string>().HasMaxLength(16);
        b.Property(j => j.SourceUrl).HasMaxLength(2048);
        b.Property(j => j.SourceClientId).HasMaxLength(256);
        b.Property(j => j.SourceSecret).HasMaxLength(4096);
        b.Property(j => j.SourceCursor).HasMaxLength(256);
        b.Property(j => j.FileName).HasMaxLength(260);
        b.Property(j => j.OwnerId).HasMaxLength(450);
        b.Property(j => j.OwnerName).HasMaxLength(256);
        b.Property(j => j.Error).HasMaxLength(2048);
        b.Property(j => j.RunnerId).HasMaxLength(64);
        b.HasIndex(j => new { j.Status, j.CreatedAt });
        b.HasIndex(j => new { j.OwnerId, j.CreatedAt });
    }

    public void Configure(EntityTypeBuilder<ImportRowError> b)
    {
        b.ToTable("ImportRowErrors");
        b.HasOne<ImportJob>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        b.Property(e => e.Column).HasMaxLength(256);
        b.Property(e => e.Message).HasMaxLength(1024);
        b.HasIndex(e => new { e.JobId, e.Row });
    }
}

public static class ImportTables
{
    extension(AppDbContext db)
    {
        public DbSet<ImportJob> ImportJobs => db.Set<ImportJob>();
        public DbSet<ImportRowError> ImportRowErrors => db.Set<ImportRowError>();
    }
}
