namespace CommerceManager.Search;

public enum SearchHitKind { Customer, Order, Account, AccountMember }

/// <summary>One line in the app bar's search results, and where it leads.</summary>
public sealed record SearchHit(SearchHitKind Kind, string Title, string Detail, string Url);
