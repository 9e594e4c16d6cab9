using System.Net.Mail;

namespace CommerceManager.Common;

public static class EmailRules
{
    private static readonly System.Globalization.IdnMapping Idna = new();

    /// <summary>
    /// The key two emails are compared and looked up by: the local part with only ASCII letters upper-cased, the domain in
    /// its IDNA (punycode) form, upper-cased. Folding every letter (<c>ToUpperInvariant</c>) would make <c>vıctim@…</c>
    /// (dotless i) and <c>victim@…</c>, or <c>ſ</c> and <c>s</c>, one person, so one could sign in as the other; the
    /// domain, in contrast, is the same mail domain whichever way it is written.
    /// </summary>
    public static string Fold(string value)
    {
        var trimmed = value.Trim();
        var at = trimmed.LastIndexOf('@');
        var domain = at < 0 ? "" : trimmed[(at + 1)..];
        if (domain.Length > 0 && !System.Text.Ascii.IsValid(domain))
        {
            try
            {
                domain = Idna.GetAscii(domain);
            }
            catch (ArgumentException)
            {
                // Not a valid international domain name: compared as written.
            }
            trimmed = string.Concat(trimmed.AsSpan(0, at + 1), domain);
        }
        return string.Create(trimmed.Length, trimmed, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = char.IsAsciiLetterLower(text[i]) ? (char)(text[i] - 32) : text[i];
            }
        });
    }

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
