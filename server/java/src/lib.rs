//! iamlens-java: the Java front-end (AWS SDK for Java v2 and v1); in progress, not yet in the languages list.
