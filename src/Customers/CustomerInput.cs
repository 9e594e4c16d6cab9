using CommerceManager.Common;
using CommerceManager.Security;
using FluentValidation;

namespace CommerceManager.Customers;

/// <summary>What staff or an API caller may set on a customer; nothing else binds.</summary>
public sealed class CustomerInput
{
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    /// <summary>Null or empty keeps the current password (or none); a value sets or replaces it.</summary>
    public string? Password { get; set; }
    /// <summary>A customer changing its own password (with a customer token) proves it knows the current one.</summary>
    public string? CurrentPassword { get; set; }
    public string? ExternalRef { get; set; }
    /// <summary>Custom field values by slug; on update, fields not given keep their values.</summary>
    public Dictionary<string, System.Text.Json.Nodes.JsonNode?>? Custom { get; set; }
}

public sealed class CustomerInputValidator : AbstractValidator<CustomerInput>
{
    public CustomerInputValidator()
    {
        RuleFor(x => x.Name)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Name is required.")
            .Must(n => n is null || n.Trim().Length <= CustomerLimits.NameMax)
            .WithMessage($"Name must be at most {CustomerLimits.NameMax} characters.");

        RuleFor(x => x.Email)
            .Must(e => !string.IsNullOrWhiteSpace(e)).WithMessage("Email is required.")
            .Must(e => e is null || e.Trim().Length <= CustomerLimits.EmailMax)
            .WithMessage($"Email must be at most {CustomerLimits.EmailMax} characters.")
            .Must(e => string.IsNullOrWhiteSpace(e) || EmailRules.IsValid(e))
            .WithMessage("Email must be a valid email address, such as ada@example.com.");

        RuleFor(x => x.Password)
            .Must(p => PasswordPolicy.Check(p) is null)
            .When(x => !string.IsNullOrEmpty(x.Password))
            .WithMessage(x => PasswordPolicy.Check(x.Password) ?? "");

        RuleFor(x => x.ExternalRef)
            .MaximumLength(CustomerLimits.ExternalRefMax)
            .WithMessage($"External reference must be at most {CustomerLimits.ExternalRefMax} characters.");
    }
}
