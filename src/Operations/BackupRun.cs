using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Operations;

public enum BackupTrigger { Manual, Scheduled, Tool }

public enum BackupState { Running, Succeeded, Failed }

/// <summary>One backup: who or what started it, where the file went, how big it is and how it ended.</summary>
public sealed class BackupRun
{
    public Guid Id { get; set; }
    public BackupTrigger Trigger { get; set; }
    public BackupState State { get; set; }
    /// <summary>The staff member's email, "schedule", or "tools backup".</summary>
    public string StartedBy { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>The archive's full path on the instance that wrote it.</summary>
    public string File { get; set; } = "";
    public long? SizeBytes { get; set; }
    /// <summary>Why it failed, in words (details are in the log).</summary>
    public string? Error { get; set; }
    /// <summary>
    /// A scheduled backup's slot (the schedule's occurrence): unique, so of several instances on one database exactly
    /// one takes each slot.
    /// </summary>
    public DateTime? ScheduledFor { get; set; }
}

internal sealed class BackupRunConfiguration : IEntityTypeConfiguration<BackupRun>
{
    public void Configure(EntityTypeBuilder<BackupRun> b)
    {
        b.ToTable("Backups");
        b.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.StartedBy).HasMaxLength(256);
        b.Property(r => r.File).HasMaxLength(1024);
        b.Property(r => r.Error).HasMaxLength(2000);
        b.HasIndex(r => r.StartedAt);
        b.HasIndex(r => r.ScheduledFor).IsUnique();
    }
}

public static class BackupSets
{
    extension(AppDbContext db)
    {
        public DbSet<BackupRun> Backups => db.Set<BackupRun>();
    }
}
