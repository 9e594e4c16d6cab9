namespace CommerceManager.Ui;

/// <summary>
/// The rows ticked in a list for a bulk action: the ones on this page (<see cref="Items"/>), or, once the whole page
/// is ticked and the person asks for it, everything the list's view matches (<see cref="AllMatching"/>).
/// </summary>
public sealed class TableSelection<T>
{
    public HashSet<T> Items { get; private set; } = [];

    public bool AllMatching { get; set; }

    public int Count => Items.Count;

    /// <summary>The table's new ticks; un-ticking a row of a whole page means "not all matching" any more.</summary>
    public void Set(HashSet<T> items, int rowsOnPage)
    {
        Items = items;
        if (items.Count < rowsOnPage)
        {
            AllMatching = false;
        }
    }

    public void Clear()
    {
        Items = [];
        AllMatching = false;
    }
}
