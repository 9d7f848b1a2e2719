// "Did you mean": the closest known word to a misspelt one, by edit distance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace misim::scenario {

/// Levenshtein distance between two words.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

/// ` (did you mean 'x'?)` or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

/// `'a', 'b' or 'c'`.
std::string quoted_list(const std::vector<std::string_view>& words);

}  // namespace misim::scenario
