// Answers to the RiHG of processes/landelijk.wth, for the tests that drive a case past the risk
// assessment. Every signal is answered (the engine refuses an incomplete RiHG): two reds in the
// incident part give "opleggen" (a ban in principle); reds spread over the parts give
// "niet_opleggen". The names follow the instrument in landelijk.wth: correct both together.
#pragma once

#include <nlohmann/json.hpp>

namespace termijn::testing {

inline nlohmann::json rihg_answers(bool impose = true) {
  nlohmann::json answers = {
      {"antecedenten", "geel"}, {"aanspreekbaarheid", "blauw"}, {"middelen", "geel"},
      {"bedreiging", "blauw"}, {"psychisch", "blauw"}, {"fysiek", "geel"}, {"seksueel", "geel"},
      {"intimidatie", "geel"}, {"escalatie", "blauw"}, {"wapenbezit", "geel"}, {"wapengebruik", "geel"},
      {"kinderen", "blauw"}, {"angst", "blauw"}, {"rechtvaardiging", "geel"},
      {"werk", "geel"}, {"financien", "blauw"}, {"gezinsstress", "rood"}, {"isolement_sociaal", "geel"},
      {"isolement_familie", "geel"}, {"isolement_hulp", "blauw"}};
  if (impose) {
    answers["bedreiging"] = "rood";
    answers["fysiek"] = "rood";
  } else {
    answers["antecedenten"] = "rood";
    answers["fysiek"] = "rood";
  }
  return answers;
}

}  // namespace termijn::testing
