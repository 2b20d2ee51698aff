"""A gold structure above the Debian archive sections: each section in one of nine broader areas.

Made for topiclens by hand from what each section holds (the archive's own section descriptions),
not taken from anywhere: the archive has no level above its sections. Every section of the
benchmark corpus (48) is placed; the placing is a judgment and is listed here so it can be argued.
Each area has a short description used to match a node's name to an area by embedding.
"""

from __future__ import annotations

AREAS: dict[str, tuple[str, list[str]]] = {
    "languages": ("programming language libraries and modules: Perl, Python, Rust, Go, Java, Ruby, R, "
                  "Haskell, Lisp, PHP, OCaml, JavaScript, .NET",
                  ["perl", "python", "rust", "golang", "java", "ruby", "gnu-r", "haskell", "lisp", "php", "ocaml",
                   "javascript", "interpreters", "cli-mono"]),
    "development": ("software development tools: compilers, build systems, debuggers, version control, databases",
                    ["devel", "vcs", "database"]),
    "system": ("system administration and command-line utilities: shells, kernel, disks, files, monitoring",
               ["admin", "utils", "kernel", "shells", "embedded", "tasks"]),
    "network": ("networking, internet and web: servers, web applications, email, news, chat",
                ["net", "web", "httpd", "mail", "news", "comm", "zope"]),
    "desktop": ("graphical desktop environments and fonts: X11, GNOME, KDE, Xfce, GNUstep, typefaces",
                ["x11", "gnome", "kde", "xfce", "gnustep", "fonts"]),
    "multimedia": ("multimedia: audio, music, video, images and graphics", ["sound", "video", "graphics"]),
    "science": ("science, mathematics, electronics, radio and education: analysis, biology, statistics",
                ["science", "math", "electronics", "hamradio", "education"]),
    "documents": ("text processing, documents and editors: TeX, text editors, text tools",
                  ["text", "editors", "tex"]),
    "games": ("games and entertainment", ["games"]),
}

AREA_OF: dict[str, str] = {section: area for area, (_, sections) in AREAS.items() for section in sections}
