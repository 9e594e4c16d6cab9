using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Exports;

/// <summary>What a job exports: EP's order export, and our customer export.</summary>
public enum ExportKind { Orders, Customers, Accounts, Members }

public enum ExportFormat { Csv, Jsonl }

/// <summary>
/// One export (EP's exporter "job"): what to export and how far it has come. Jobs live in the database, so any
/// instance can run one, a job survives the staff member leaving the page, and a job whose instance died is taken
/// over (and started again) by another. The file is written under <see cref="ExportSettings.Folder"/>.
/// </summary>
public sealed class ExportJob : IQueuedJob
{
    public Guid Id { get; set; }
    public ExportKind Kind { get; set; }
    public ExportFormat Format { get; set; }
    public JobStatus Status { get; set; }
    /// <summary>The list's filter in EP's syntax (orders or customers), as the list would take it.</summary>
    public string? Filter { get; set; }
    /// <summary>Customers only: the list's sort, its one search box and its password choice.</summary>
    public string? Sort { get; set; }
    public string? Search { get; set; }
    public bool? HasPassword { get; set; }
    /// <summary>Ticked rows: ids separated by commas, instead of a filter.</summary>
    public string? Ids { get; set; }
    /// <summary>Who asked: a staff user id, or <c>api:</c> and an API client id.</summary>
    /// <summary>What the file holds, in words: the saved view's name, the filter said in words, "12 ticked customers", or "All customers".</summary>
    public string? Label { get; set; }
    public string OwnerId { get; set; } = "";
    public string OwnerName { get; set; } = "";
    public int RowsDone { get; set; }
    public int? RowsTotal { get; set; }
    public long? FileSize { get; set; }
    public string? Error { get; set; }
    public bool CancelRequested { get; set; }
    /// <summary>The instance running it, and when it last said so: a job whose runner went quiet is taken over.</summary>
    public string? RunnerId { get; set; }
    public DateTime? HeartbeatAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>When the job and its file are removed (EP keeps jobs for a week).</summary>
    public DateTime ExpiresAt { get; set; }

    public const int LabelMax = 300;

    public string FileExtension => Format == ExportFormat.Jsonl ? "jsonl" : "csv";

    public bool IsRunning => Status is JobStatus.Pending or JobStatus.Started;

    /// <summary>The ticked ids, or null for an export by filter.</summary>
    public List<Guid>? IdList => Ids?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
}

internal sealed class ExportJobConfiguration : IEntityTypeConfiguration<ExportJob>
{
    public void Configure(EntityTypeBuilder<ExportJob> b)
    {
        b.ToTable("ExportJobs");
        b.Property(j => j.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(j => j.Format).HasConversion<string>().HasMaxLength(8);
        b.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(j => j.Filter).HasMaxLength(8192);
        b.Property(j => j.Sort).HasMaxLength(256);
        b.Property(j => j.Search).HasMaxLength(512);
        b.Property(j => j.Label).HasMaxLength(ExportJob.LabelMax);
        b.Property(j => j.OwnerId).HasMaxLength(450);
        b.Property(j => j.OwnerName).HasMaxLength(256);
        b.Property(j => j.Error).HasMaxLength(2048);
        b.Property(j => j.RunnerId).HasMaxLength(64);
        // The queue (oldest waiting first), a person's own jobs, and the cleanup.
        b.HasIndex(j => new { j.Status, j.CreatedAt });
        b.HasIndex(j => new { j.OwnerId, j.CreatedAt });
        b.HasIndex(j => j.ExpiresAt);
    }
}

public static class ExportJobSets
{
    extension(AppDbContext db)
    {
        public DbSet<ExportJob> ExportJobs => db.Set<ExportJob>();
    }
}
