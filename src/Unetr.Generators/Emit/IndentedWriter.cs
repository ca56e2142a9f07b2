using System.Text;

namespace Unetr.Generators.Emit
{
    /// <summary>Writes source text line by line at the current indentation (four spaces a level).</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder text = new StringBuilder();
        private int depth;

        public IndentedWriter Line(string line = "")
        {
            if (line.Length > 0)
            {
                text.Append(' ', 4 * depth).Append(line);
            }

            text.Append('\n');
            return this;
        }

        public IndentedWriter Open(string line)
        {
            Line(line);
            Line("{");
            depth++;
            return this;
        }

        public IndentedWriter Close(string suffix = "")
        {
            depth--;
            return Line("}" + suffix);
        }

        public override string ToString() => text.ToString();
    }
}
