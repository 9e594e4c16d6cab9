using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.AccountMoves;

/// <summary>
/// One move of customers to accounts (EP's Account Management): who ran it, how far it got, and what undoing it needs for
/// <see cref="AccountMoveService.UndoDays"/> days: one <see cref="AccountMoveItem"/> per customer moved.
/// </summary>
public sealed class AccountMoveJob
{
    /// <summary>Also the <c>BatchId</c> of every change the move recorded (its one line on the Activity page).</summary>
    public Guid Id { get; set; }
    /// <summary>The account realm's password profile the moved passwords went under.</summary>
    public Guid PasswordProfileId { get; set; }
    public int Selected { get; set; }
    public int Done { get; set; }
    public int Skipped { get; set; }
    public string? SkippedWhy { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string By { get; set; } = "";
    public DateTime UndoUntil { get; set; }
    public DateTime? UndoneAt { get; set; }
    public string? UndoneBy { get; set; }
}

/// <summary>
/// One customer moved: the account and member it became (the member may have been there already, with the same email),
/// the password entry made from its password, and the account addresses and orders that came from it.
/// </summary>
public sealed class AccountMoveItem
{
    public Guid JobId { get; set; }
    public Guid CustomerId { get; set; }
    public Guid AccountId { get; set; }
    public Guid MemberId { get; set; }
    public bool MemberCreated { get; set; }
    public Guid? PasswordId { get; set; }
    /// <summary>JSON: the ids of the account addresses made from its addresses, and of the orders linked to the account.</summary>
    public string Moved { get; set; } = "{}";
    /// <summary>Set when the move was undone: the customer may be moved again.</summary>
    public bool Undone { get; set; }
}

internal sealed class AccountMoveConfiguration : IEntityTypeConfiguration<AccountMoveJob>, IEntityTypeConfiguration<AccountMoveItem>
{
    public void Configure(EntityTypeBuilder<AccountMoveJob> b)
    {
        b.ToTable("AccountMoveJobs");
        b.Property(j => j.SkippedWhy).HasMaxLength(1000);
        b.Property(j => j.By).HasMaxLength(256);
        b.Property(j => j.UndoneBy).HasMaxLength(256);
        b.HasIndex(j => j.StartedAt);
    }

    public void Configure(EntityTypeBuilder<AccountMoveItem> b)
    {
        b.ToTable("AccountMoveItems");
        b.HasKey(i => new { i.JobId, i.CustomerId });
        // A customer is moved once (until the move is undone): a second move of the same selection skips it.
        b.HasIndex(i => i.CustomerId, "IX_AccountMoveItems_CustomerId_Moved").IsUnique().HasFilter("NOT \"Undone\"");
        b.HasOne<AccountMoveJob>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>This feature's tables on the shared context.</summary>
public static class AccountMovesTables
{
    extension(AppDbContext db)
    {
        public DbSet<AccountMoveJob> AccountMoveJobs => db.Set<AccountMoveJob>();
        public DbSet<AccountMoveItem> AccountMoveItems => db.Set<AccountMoveItem>();
    }
}
