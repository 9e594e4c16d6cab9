namespace CommerceManager.Ui;

/// <summary>The letters an avatar shows: the first letter of the first two words of a name ("Ada Lovelace" → "AL").</summary>
public static class Initials
{
    public static string Of(string name) =>
        string.Concat(name.Split([' ', '.', '@', '_', '-'], StringSplitOptions.RemoveEmptyEntries).Take(2).Select(p => char.ToUpperInvariant(p[0])));
}
