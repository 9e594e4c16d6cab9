using System.Net.Mail;

namespace CommerceManager.Common;

public static class EmailRules
{
    /// <summary>One @, a non-empty local part, a dotted domain and no spaces: what a mail server would accept.</summary>
    public static bool IsValid(string email)
    {
        var e = email.Trim();
        if (e.Any(char.IsWhiteSpace) || e.Count(c => c == '@') != 1)
        {
            return false;
        }
        var at = e.IndexOf('@');
        var local = e[..at];
        var domain = e[(at + 1)..];
        return local.Length is > 0 and <= 64
            && domain.Contains('.')
            && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..")
            && MailAddress.TryCreate(e, out var parsed) && parsed.Address == e;
    }
}
