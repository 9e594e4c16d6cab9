using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.CustomFields;

public enum FieldType { String, Integer, Boolean, Float, Date }

/// <summary>
/// A flow extends an entity with fields: slug <c>customers</c> extends customers, <c>addresses</c> addresses (a
/// customer's), <c>accounts</c> accounts (EP's Account Management).
/// </summary>
public sealed class Flow
{
    public const string Customers = "customers";
    public const string Addresses = "addresses";
    public const string Accounts = "accounts";
    public static readonly string[] Slugs = [Customers, Addresses, Accounts];

    /// <summary>What one record of the flow is called in a sentence: "customer", "address", "account".</summary>
    public static string Singular(string slug) => slug switch
    {
        Addresses => "address",
        _ => slug.TrimEnd('s'),
    };

    /// <summary>The flow's records in a sentence, <paramref name="count"/> of them: "1 customer", "3 addresses".</summary>
    public static string Count(string slug, long count) => $"{count:N0} {(count == 1 ? Singular(slug) : slug)}";

    /// <summary>The flow's tab title: "Customers", "Addresses", "Accounts".</summary>
    public static string Title(string slug) => char.ToUpperInvariant(slug[0]) + slug[1..];

    /// <summary>Who may edit values of fields marked editable outside the store: customers, or an account's members.</summary>
    public static string Editors(string slug) => slug == Accounts ? "Account members" : "Customers";

    public Guid Id { get; set; }
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<Field> Fields { get; set; } = [];
}

/// <summary>One custom field. Its values live in the record's CustomData JSON, keyed by the field's id, so a
/// rename or a disable never loses them.</summary>
public sealed class Field
{
    public Guid Id { get; set; }
    public Guid FlowId { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Description { get; set; } = "";
    public FieldType Type { get; set; }
    public bool Required { get; set; }
    public bool Enabled { get; set; } = true;
    public bool OmitNull { get; set; }
    /// <summary>
    /// Customers (with a customer token) and storefronts may set it. Off by default: a field such as a credit limit
    /// is the store's to set; turn it on for what customers fill in themselves (EP lets any caller set any field).
    /// </summary>
    public bool CustomerEditable { get; set; }
    public int Order { get; set; }
    /// <summary>The default as JSON (a string, number, boolean or yyyy-MM-dd), or null.</summary>
    public string? DefaultJson { get; set; }
    public FieldRules Rules { get; set; } = new();
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Validation rules of a field; which apply depends on its type.</summary>
public sealed record FieldRules
{
    /// <summary>Allowed values (strings, integers or floats, as the field's type).</summary>
    public List<JsonNode?>? Enum { get; init; }
    public bool Email { get; init; }
    public bool Slug { get; init; }
    /// <summary>Inclusive range for integer and float fields.</summary>
    public double? From { get; init; }
    public double? To { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    /// <summary>A .NET regular expression a string value must match (evaluated with a timeout).</summary>
    public string? Pattern { get; init; }
}

internal sealed class FlowConfiguration : IEntityTypeConfiguration<Flow>
{
    public void Configure(EntityTypeBuilder<Flow> b)
    {
        b.ToTable("Flows");
        b.HasIndex(f => f.Slug).IsUnique();
        b.Property(f => f.Slug).HasMaxLength(64);
        b.Property(f => f.Name).HasMaxLength(255);
        b.HasMany(f => f.Fields).WithOne().HasForeignKey(f => f.FlowId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FieldConfiguration : IEntityTypeConfiguration<Field>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<Field> b)
    {
        b.ToTable("Fields");
        b.HasIndex(f => new { f.FlowId, f.Slug }).IsUnique();
        b.Property(f => f.Slug).HasMaxLength(64);
        b.Property(f => f.Name).HasMaxLength(255);
        b.Property(f => f.Type).HasConversion<string>().HasMaxLength(16);
        b.Property(f => f.Rules).HasConversion(
            r => JsonSerializer.Serialize(r, Json),
            s => JsonSerializer.Deserialize<FieldRules>(s, Json) ?? new FieldRules(),
            new ValueComparer<FieldRules>(
                (x, y) => JsonSerializer.Serialize(x, Json) == JsonSerializer.Serialize(y, Json),
                r => JsonSerializer.Serialize(r, Json).GetHashCode(StringComparison.Ordinal),
                r => JsonSerializer.Deserialize<FieldRules>(JsonSerializer.Serialize(r, Json), Json)!));
    }
}

/// <summary>This feature's tables on the shared context (<c>db.Flows</c>).</summary>
public static class FlowsTables
{
    extension(AppDbContext db)
    {
        public DbSet<Flow> Flows => db.Set<Flow>();
        public DbSet<Field> Fields => db.Set<Field>();
    }
}
