using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;

namespace CommerceManager.Security;

/// <summary>
/// Password rules for staff and customers alike (NIST 800-63B style): a length range, no composition
/// rules, and a refusal of passwords found in breach lists.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 8;
    public const int MaxLength = 128;
    /// <summary>PBKDF2-HMAC-SHA512 iterations for every stored password (OWASP 2023 guidance).</summary>
    public const int HashIterations = 210_000;

    // The 20,000 most common passwords of 8+ characters from SecLists (CC BY-SA 3.0), compared case-insensitively.
    private static readonly Lazy<FrozenSet<string>> Common = new(LoadCommon);

    public static bool IsCommon(string password) => Common.Value.Contains(password);

    /// <summary>Returns the reason a password is refused, or null when it is acceptable.</summary>
    public static string? Check(string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
        {
            return $"Password must be at least {MinLength} characters.";
        }
        if (password.Length > MaxLength)
        {
            return $"Password must be at most {MaxLength} characters.";
        }
        if (IsCommon(password))
        {
            return "This password is too common. Choose one that is harder to guess.";
        }
        return null;
    }

    private static FrozenSet<string> LoadCommon()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("CommerceManager.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var words = new List<string>(20_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                words.Add(line);
            }
        }
        return words.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>Applies <see cref="PasswordPolicy"/> to staff accounts through Identity.</summary>
public sealed class PolicyPasswordValidator<TUser> : IPasswordValidator<TUser> where TUser : class
{
    public Task<IdentityResult> ValidateAsync(UserManager<TUser> manager, TUser user, string? password)
    {
        var problem = PasswordPolicy.Check(password);
        return Task.FromResult(problem is null
            ? IdentityResult.Success
            : IdentityResult.Failed(new IdentityError { Code = "PasswordPolicy", Description = problem }));
    }
}
