using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentValidation;

namespace CommerceManager.CustomFields;

public sealed record FlowDto(Guid Id, string Slug, string Name, string Description, bool Enabled, DateTime CreatedAt, DateTime UpdatedAt, IReadOnlyList<Guid> FieldIds);

public sealed class FlowInput
{
    public string? Slug { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
}

public sealed class FlowInputValidator : AbstractValidator<FlowInput>
{
    public FlowInputValidator()
    {
        RuleFor(x => x.Name).MaximumLength(255).WithMessage("A flow's name is at most 255 characters.");
    }
}

/// <summary>A field as the designer (console dialog or API) sends it.</summary>
public sealed class FieldInput
{
    /// <summary>The flow the field belongs to: its entity's own attributes are reserved slugs.</summary>
    public string FlowSlug { get; set; } = Flow.Customers;
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Description { get; set; } = "";
    public FieldType Type { get; set; } = FieldType.String;
    public bool Required { get; set; }
    public bool Enabled { get; set; } = true;
    public bool OmitNull { get; set; }
    /// <summary>Customers and storefronts may set it (see <see cref="Field.CustomerEditable"/>).</summary>
    public bool CustomerEditable { get; set; }
    public int? Order { get; set; }
    public JsonNode? Default { get; set; }
    public FieldRules Rules { get; set; } = new();

    public static FieldInput From(FieldDefinition f) => new()
    {
        FlowSlug = f.FlowSlug, Name = f.Name, Slug = f.Slug, Description = f.Description, Type = f.Type, Required = f.Required, Enabled = f.Enabled,
        OmitNull = f.OmitNull, CustomerEditable = f.CustomerEditable, Order = f.Order, Default = f.Default?.DeepClone(), Rules = f.Rules,
    };

    /// <summary>The field as its rules would check a value, before it exists.</summary>
    internal FieldDefinition Probe() => new(Guid.Empty, Guid.Empty, FlowSlug, Name.Trim().Length > 0 ? Name.Trim() : "The value",
        Slug, "", Type, false, true, false, 0, null, Rules, default, default);
}

/// <summary>
/// The designer's rules that need no database: names, slugs, which validation rules fit which type, valid regular
/// expressions, options and a default that fit the field. The dialog shows them next to the inputs; the designer
/// service runs them again, with the rules that need the database (a taken slug, 100 fields, required fields once
/// records exist).
/// </summary>
public sealed class FieldInputValidator : AbstractValidator<FieldInput>
{
    public const int MaxSlugLength = 64;

    private static readonly HashSet<string> ReservedForAll = ["id", "type", "meta", "links", "relationships"];
    private static readonly Dictionary<string, HashSet<string>> Reserved = new()
    {
        [Flow.Customers] = [.. ReservedForAll, "name", "email", "password", "external_ref"],
        [Flow.Addresses] = [.. ReservedForAll, "name", "first_name", "last_name", "company_name", "line_1", "line_2", "city", "region",
            "postcode", "county", "country", "phone_number", "instructions"],
        [Flow.Accounts] = [.. ReservedForAll, "name", "legal_name", "registration_id", "external_ref", "parent_id"],
    };

    public FieldInputValidator()
    {
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n) && n.Trim().Length <= 255)
            .WithMessage("A field needs a name (up to 255 characters).");
        RuleFor(x => x.Slug)
            .Must(s => Regex.IsMatch(s.Trim(), $"^[A-Za-z0-9_-]{{1,{MaxSlugLength}}}$"))
            .WithMessage($"The slug may use letters, digits, - and _ only (1–{MaxSlugLength} characters).")
            .DependentRules(() => RuleFor(x => x.Slug)
                .Must((x, s) => !Reserved.GetValueOrDefault(x.FlowSlug, ReservedForAll).Contains(s.Trim().ToLowerInvariant()))
                .WithMessage(x => $"'{x.Slug.Trim()}' is reserved: the {x.FlowSlug} entity already has it."));
        RuleFor(x => x.Rules.Pattern).Must(p => PatternError(p) is null)
            .WithMessage(x => $"The regular expression is not valid: {PatternError(x.Rules.Pattern)}");
        RuleFor(x => x.Rules)
            .Must((x, r) => x.Type == FieldType.String || !(r.Email || r.Slug || r.Pattern is { Length: > 0 } || r.MinLength is not null || r.MaxLength is not null))
            .WithMessage("Email, slug, length and pattern rules apply to string fields only.")
            .Must((x, r) => x.Type is FieldType.Integer or FieldType.Float || (r.From is null && r.To is null))
            .WithMessage("A between rule applies to integer and float fields only.");
        RuleFor(x => x.Rules.From).Must((x, from) => !(from > x.Rules.To))
            .WithMessage("The between rule's 'from' must not be above its 'to'.");
        RuleFor(x => x.Rules.MinLength).Must((x, min) => !(min > x.Rules.MaxLength || min < 0))
            .WithMessage("The minimum length must be between 0 and the maximum length.");
        RuleFor(x => x.Rules.Enum).Custom((options, context) =>
        {
            var x = context.InstanceToValidate;
            if (options is not { Count: > 0 })
            {
                return;
            }
            if (x.Type is FieldType.Boolean or FieldType.Date)
            {
                context.AddFailure("Enum options apply to string, integer and float fields.");
                return;
            }
            var probe = x.Probe() with { Rules = new FieldRules(), Required = true };
            foreach (var option in options)
            {
                if (FieldValues.Check(probe, option, out _) is { } bad)
                {
                    context.AddFailure($"The option {option?.ToJsonString() ?? "null"} does not fit the field's type: {bad}");
                }
            }
        });
        RuleFor(x => x.Default).Must((x, d) => d is null || FieldValues.Check(x.Probe(), d, out _) is null)
            .When(x => PatternError(x.Rules.Pattern) is null)
            .WithMessage(x => $"The default is not a valid value: {FieldValues.Check(x.Probe(), x.Default, out _)}");
    }

    /// <summary>Why a custom-field pattern can't be used, or null when it can.</summary>
    public static string? PatternError(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return null;
        }
        try
        {
            _ = new Regex(pattern, RegexOptions.NonBacktracking, FieldValues.RegexTimeout);
            return null;
        }
        catch (NotSupportedException)
        {
            return "it uses backreferences, lookarounds or atomic groups, which the store does not run (patterns are matched in linear time, so none can stall it).";
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}
